# librgw top-level build.
#   make                 build the core (librgwcore.so) and the Python package
#   make demo            S3 on 127.0.0.1:$(RGW_PORT) from a local store: Debian's nginx + our module
#   make demo-apache     the same through Debian's Apache + mod_rgw
#   make serve           the same through the WSGI door under gunicorn
#   make test            all tests (installs missing Debian packages first)
#   make docs            the documentation site into build/docs/html (warnings are errors)
#   make deb             the Debian packages into build/packages/ (lintian's report there too)
#   make rpm             the RPMs (Fedora/EL9 spec, built with Debian's rpmbuild) into build/packages/rpm/
#   make test-packages   the packages' tests (installs, uses and purges the debs: root)
#   make test-sanitize   the core-level tests under ASan + UBSan
#   make lint            the C/C++ format (.clang-format) and Python lint (ruff.toml)
#   make bench           benchmarks (bench/), not tests

BUILD      ?= build
VENV       ?= .venv
PY         := $(VENV)/bin/python
JOBS       ?= 2
CMAKE_ARGS ?=
SANITIZE_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
                UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

NGINX_BUILD  := $(BUILD)/nginx
NGINX_MODULE := $(abspath $(NGINX_BUILD))/objs/ngx_http_rgw_module.so
APACHE_BUILD  := $(BUILD)/apache
APACHE_MODULE := $(abspath $(APACHE_BUILD))/mod_rgw.so
MODULES_ENV   := LIBRGW_NGINX_MODULE=$(NGINX_MODULE) LIBRGW_APACHE_MODULE=$(APACHE_MODULE)

.PHONY: all demo demo-apache serve deps core python nginx-module apache-module lint docs test test-packages test-core test-local-only test-integration test-sanitize bench clean

all: core python nginx-module apache-module

# RGW_PORT, RGW_DATA (the local store's directory), RGW_ACCESS_KEY and
# RGW_SECRET_KEY override the defaults; RGW_STORE may name any store URI.
RGW_PORT  ?= 8080
RGW_DATA  ?= $(CURDIR)/.rgw-data
RGW_STORE ?= local:$(abspath $(RGW_DATA))

# The main job: Debian's nginx with ngx_http_rgw_module on 127.0.0.1:$(RGW_PORT).
demo: core python nginx-module
	RGW_PORT=$(RGW_PORT) $(PY) -m pyrgw.serve_nginx --store '$(RGW_STORE)' \
	  --module $(NGINX_MODULE) --run-dir $(abspath $(BUILD))/demo

# The same through Debian's Apache and mod_rgw.  Run as root, Apache's
# children run as www-data, who cannot enter /root: the store is then
# /var/lib/librgw/demo unless RGW_DATA or RGW_STORE names another.
ifeq ($(shell id -u)$(origin RGW_DATA)$(origin RGW_STORE),0filefile)
APACHE_STORE := local:/var/lib/librgw/demo
else
APACHE_STORE := $(RGW_STORE)
endif
demo-apache: core python apache-module
	RGW_PORT=$(RGW_PORT) $(PY) -m pyrgw.serve_apache --store '$(APACHE_STORE)' \
	  --module $(APACHE_MODULE) --run-dir $(abspath $(BUILD))/demo-apache

serve: core python
	RGW_PORT=$(RGW_PORT) $(PY) -m pyrgw.serve --store '$(RGW_STORE)'

deps: $(BUILD)/.deps-ok

$(BUILD)/.deps-ok: packaging/install-deps.sh tests/requirements.txt
	packaging/install-deps.sh
	test -x $(PY) || /usr/bin/python3 -m venv --system-site-packages $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r tests/requirements.txt
	mkdir -p $(BUILD) && touch $@

core: deps
	cmake -S librgw -B $(BUILD)/core -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)
	cmake --build $(BUILD)/core -j $(JOBS)

# pyrgw links the core just built (librgwcore.so.0 in $(BUILD)/core, found
# through its uninstalled pkg-config file), as a distribution package links
# the installed one; `pip install ./pyrgw` elsewhere builds it in.
python: core
	PKG_CONFIG_PATH=$(abspath $(BUILD)/core) $(PY) -m pip install -q ./pyrgw \
	  -C cmake.define.PYRGW_CORE=system

# The nginx module, built against Debian's nginx-dev; it finds librgwcore.so
# in $(BUILD)/core through its run-time path.
nginx-module: core
	JOBS=$(JOBS) modules/nginx/build.sh $(NGINX_BUILD) librgw/include $(BUILD)/core $(abspath $(BUILD)/core)

# The Apache module, built with apxs against Debian's apache2-dev; it finds
# librgwcore.so in $(BUILD)/core through its run-time path.
apache-module: core
	modules/apache/build.sh $(APACHE_BUILD) librgw/include $(BUILD)/core $(abspath $(BUILD)/core)

# The code's style, checked: clang-format on the core, its tests and the
# binding (the nginx module keeps nginx's style), ruff on the Python.
FORMATTED = $(shell git ls-files 'librgw/*.cpp' 'librgw/*.h' 'librgw/*.c' 'pyrgw/*.cpp' 'pyrgw/*.h')
lint: deps
	@clang-format --dry-run --Werror $(FORMATTED) && echo "clang-format: $(words $(FORMATTED)) files formatted"
	$(VENV)/bin/ruff check .

test: test-core test-local-only test-integration docs
	$(MAKE) test-packages

# The packages, built from this tree and tested after everything else: the
# Debian install test installs them on this machine (beside Ceph's librgw
# packages), serves S3 from them, and purges them (tests/packages/).
test-packages: deps deb rpm
	LIBRGW_DEB_DIR=$(abspath $(BUILD))/packages LIBRGW_RPM_DIR=$(abspath $(BUILD))/packages/rpm \
	  $(PY) -m pytest -p no:cacheprovider tests/packages $(PYTEST_ARGS)

# The documentation site (Sphinx: the Markdown pages of docs/, the C API
# reference from librgw.h, the Python API from pyrgw's docstrings) into
# $(BUILD)/docs/html; any warning fails it.
docs: python
	$(VENV)/bin/sphinx-build -W --keep-going -q -b html docs $(BUILD)/docs/html

test-core: core
	cd $(BUILD)/core && ctest --output-on-failure

# The core built without the RADOS driver: it needs no librados, and its
# core-level tests pass on the local store.
test-local-only: deps
	cmake -S librgw -B $(BUILD)/local-only -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DLIBRGW_WITH_RADOS=OFF $(CMAKE_ARGS)
	cmake --build $(BUILD)/local-only -j $(JOBS)
	! ldd $(BUILD)/local-only/librgwcore.so.0 | grep librados
	cd $(BUILD)/local-only && ctest --output-on-failure

test-integration: core python nginx-module apache-module
	$(MODULES_ENV) LIBRGW_TEST_CAPI=$(abspath $(BUILD)/core/tests/test_capi) LIBRGW_BUILD_DIR=$(abspath $(BUILD)/core) \
	  $(PY) -m pytest -p no:cacheprovider tests/integration $(PYTEST_ARGS)

test-sanitize: deps
	cmake -S librgw -B $(BUILD)/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLIBRGW_SANITIZE=ON
	cmake --build $(BUILD)/asan -j $(JOBS)
	cd $(BUILD)/asan && $(SANITIZE_ENV) ctest --output-on-failure
	rm -rf $(BUILD)/asan-ceph
	$(SANITIZE_ENV) $(PY) tests/integration/ceph_cluster.py exec $(BUILD)/asan-ceph -- sh -c \
	  "$(BUILD)/asan/tests/test_capi 'rados:asan?conf={conf}' && \
	   $(BUILD)/asan/tests/test_capi_model 'rados:asan?conf={conf}' && \
	   $(BUILD)/asan/tests/test_capi_versions 'rados:asan?conf={conf}' && \
	   $(BUILD)/asan/tests/test_request 'rados:asan?conf={conf}' && \
	   $(BUILD)/asan/tests/test_index_batch '{conf}' && \
	   $(BUILD)/asan/tests/test_s3_robustness 'rados:asan?conf={conf}'" 

bench: core python nginx-module apache-module
	$(PY) bench/bench_store.py
	$(PY) bench/bench_s3_wsgi.py
	$(PY) bench/bench_users.py --s3
	$(MODULES_ENV) $(PY) bench/bench_nginx.py
	$(PY) bench/bench_expiry.py
	$(MODULES_ENV) $(PY) bench/bench_versioning.py

clean:
	rm -rf $(BUILD) pyrgw/build

# make deb: the Debian packages, from this tree, into $(BUILD)/packages/
# (packaging/deb/deb.mk; last, so that it is not the default target).
include packaging/deb/deb.mk
include packaging/rpm/rpm.mk
