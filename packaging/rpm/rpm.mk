# RPM packages of librgw (packaging/rpm/librgw-gateway.spec, for Fedora and
# EL9), built from the current tree (committed or not) with Debian's rpm
# and rpmbuild, against this machine's toolchain, nginx-dev and apache2-dev.
# Included from the top-level Makefile (include packaging/rpm/rpm.mk, after
# its targets), or run alone from the top of the tree:
#   make -f packaging/rpm/rpm.mk rpm
#
#   make rpm    checks that the spec's Version is librgw.h's version, checks
#               the spec with rpmspec -P, makes $(BUILD)/rpm/SOURCES/
#               librgw-gateway-VERSION.tar.gz from the tree (git's tracked
#               and untracked, not ignored, files), runs rpmbuild -ba --nodeps
#               with _topdir $(BUILD)/rpm, and leaves the SRPM and the RPMs in
#               $(BUILD)/packages/rpm/, with inspect.txt (rpm -qlp, -qpR,
#               --provides, --scripts of each) beside them.
#
# --nodeps: Debian's rpm database is empty, so no BuildRequires can be met;
# the real build dependencies are Debian's (packaging/deb/debian/control's
# Build-Depends), which this machine has.  This proves the spec's %build,
# %install and %files, its scriptlets and its declared requirements; it is
# not a Fedora build (docs/rpm.md says what is and is not verified).
#
# Uses BUILD and JOBS (the top-level Makefile's; defaults below), and:
#   RPMBUILD_FLAGS  more rpmbuild options (e.g. --without tests)
# rpmbuild runs without this make's MAKEFLAGS, as dpkg-buildpackage does in
# packaging/deb/deb.mk: build.sh's make must not see -j or BUILD= from here.

BUILD ?= build
JOBS  ?= 2
RPMBUILD_FLAGS ?=

RPM_SPEC     := packaging/rpm/librgw-gateway.spec
RPM_TOP      := $(abspath $(BUILD))/rpm
RPM_PACKAGES := $(abspath $(BUILD))/packages/rpm
RPM_VERSION   = $(shell sed -n 's/^\#define LIBRGW_VERSION_STRING *"\([0-9.]*\)".*/\1/p' \
                  librgw/include/librgw/librgw.h)
RPM_SRCDIR    = $(RPM_TOP)/tree/librgw-gateway-$(RPM_VERSION)

.PHONY: rpm
rpm:
	@spec=$$(rpmspec -q --srpm --qf '%{version}' $(RPM_SPEC)) && \
	  test "$$spec" = "$(RPM_VERSION)" || { echo "rpm.mk: librgw.h says" \
	  "$(RPM_VERSION), $(RPM_SPEC) says $$spec" >&2; exit 1; }
	rm -rf $(RPM_TOP)
	mkdir -p $(RPM_TOP)/SOURCES $(RPM_SRCDIR) $(RPM_PACKAGES)
	rpmspec -P $(RPM_SPEC) >$(RPM_TOP)/parsed.spec
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git ls-files -z --cached --others --exclude-standard | \
	    tar --null --ignore-failed-read -T - -cf - 2>/dev/null; \
	else \
	  tar --exclude=./.git --exclude=./$(BUILD) --exclude=./.venv --exclude=./pyrgw/build \
	    --exclude=./.rgw-data --exclude=__pycache__ -cf - .; \
	fi | tar -xf - -C $(RPM_SRCDIR)
	tar -czf $(RPM_TOP)/SOURCES/librgw-gateway-$(RPM_VERSION).tar.gz \
	  -C $(RPM_TOP)/tree librgw-gateway-$(RPM_VERSION)
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL rpmbuild -ba --nodeps \
	  --define '_topdir $(RPM_TOP)' --define '_smp_mflags -j$(JOBS)' \
	  --define '_smp_build_ncpus $(JOBS)' $(RPMBUILD_FLAGS) $(RPM_SPEC)
	rm -f $(RPM_PACKAGES)/*.rpm $(RPM_PACKAGES)/inspect.txt
	mv $(RPM_TOP)/SRPMS/*.src.rpm $(RPM_TOP)/RPMS/*/*.rpm $(RPM_PACKAGES)/
	cd $(RPM_PACKAGES) && for p in *.rpm; do \
	  echo "=== $$p"; \
	  echo "--- files (rpm -qlp -v)"; rpm -qlpv $$p; \
	  echo "--- requires (rpm -qpR)"; rpm -qpR $$p; \
	  echo "--- provides (rpm -qp --provides)"; rpm -qp --provides $$p; \
	  echo "--- scriptlets (rpm -qp --scripts)"; rpm -qp --scripts $$p; \
	  echo; \
	done >inspect.txt
	ls -l $(RPM_PACKAGES)
