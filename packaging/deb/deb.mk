# Debian packages of librgw, built from the current tree (committed or not).
# (DEB_VERSION and DEB_SRCDIR are expanded only when the deb target runs.)
# Included from the top-level Makefile (include packaging/deb/deb.mk, after
# its targets), or run alone from the top of the tree:
#   make -f packaging/deb/deb.mk deb
#
#   make deb    copies the tree (git's tracked and untracked, not ignored,
#               files) to $(BUILD)/deb/librgw-gateway-VERSION/, puts
#               packaging/deb/debian at its top, runs dpkg-buildpackage -us
#               -uc -b there, and leaves the .deb files (with the .changes
#               and .buildinfo) in $(BUILD)/packages/, lintian's report in
#               $(BUILD)/packages/lintian.txt.
#
# Uses BUILD and JOBS (the top-level Makefile's; defaults below), and:
#   DEB_BUILD_OPTIONS  passed on (e.g. nocheck), with parallel=$(JOBS) added
#   LINTIAN_FLAGS      lintian's options (default: -I --pedantic, show overrides)
#   LINTIAN_FAIL_ON    lintian tag level that fails the target (default: error)
# dpkg-buildpackage runs without this make's MAKEFLAGS: debian/rules is a
# makefile too, and must not see BUILD=, JOBS= or -j from this command line.
# The build dependencies are packaging/deb/debian/control's Build-Depends;
# dpkg-buildpackage stops and names any that are missing.

BUILD ?= build
JOBS  ?= 2
LINTIAN_FLAGS   ?= -I --pedantic --show-overrides
LINTIAN_FAIL_ON ?= error

DEB_TOP      := $(abspath $(BUILD))/deb
DEB_PACKAGES := $(abspath $(BUILD))/packages
DEB_VERSION   = $(shell dpkg-parsechangelog -l packaging/deb/debian/changelog -S Version)
DEB_SRCDIR    = $(DEB_TOP)/librgw-gateway-$(firstword $(subst -, ,$(DEB_VERSION)))

.PHONY: deb
deb:
	rm -rf $(DEB_TOP)
	mkdir -p $(DEB_SRCDIR) $(DEB_PACKAGES)
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git ls-files -z --cached --others --exclude-standard | \
	    tar --null --ignore-failed-read -T - -cf - 2>/dev/null; \
	else \
	  tar --exclude=./.git --exclude=./$(BUILD) --exclude=./.venv --exclude=./pyrgw/build \
	    --exclude=./.rgw-data --exclude=__pycache__ -cf - .; \
	fi | tar -xf - -C $(DEB_SRCDIR)
	rm -rf $(DEB_SRCDIR)/debian
	cp -a packaging/deb/debian $(DEB_SRCDIR)/debian
	cd $(DEB_SRCDIR) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	  DEB_BUILD_OPTIONS="parallel=$(JOBS) $(DEB_BUILD_OPTIONS)" dpkg-buildpackage -us -uc -b
	rm -f $(DEB_PACKAGES)/*.deb $(DEB_PACKAGES)/*.changes $(DEB_PACKAGES)/*.buildinfo
	mv $(DEB_TOP)/*.deb $(DEB_TOP)/*.changes $(DEB_TOP)/*.buildinfo $(DEB_PACKAGES)/
	cd $(DEB_PACKAGES) && { lintian $(LINTIAN_FLAGS) --fail-on $(LINTIAN_FAIL_ON) \
	  librgw-gateway_$(DEB_VERSION)_*.changes >lintian.txt 2>&1; \
	  status=$$?; cat lintian.txt; exit $$status; }
	ls -l $(DEB_PACKAGES)
