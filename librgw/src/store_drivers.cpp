// store_drivers.cpp - the store drivers of this build, and what every door
// does with a store URI: check it, name the store, open it.
#include <string>

#include "errors.h"
#include "http/request.h"
#include "store_driver.h"

#ifndef LIBRGW_WITH_RADOS
#define LIBRGW_WITH_RADOS 1
#endif

namespace rgw {

const std::vector<const StoreDriver*>& store_drivers() {
  static const std::vector<const StoreDriver*> drivers = {
    &local::kDriver,
#if LIBRGW_WITH_RADOS
    &rados::kDriver,
#endif
  };
  return drivers;
}

const StoreDriver& store_driver_for(const std::string& uri, std::string* rest) {
  if (!uri.empty() && uri[0] == '/') {
    *rest = uri;  // a bare absolute path: the local driver
    return local::kDriver;
  }
  size_t colon = uri.find(':');
  std::string scheme = colon == std::string::npos ? std::string() : uri.substr(0, colon);
  for (const StoreDriver* d : store_drivers()) {
    if (scheme == d->scheme) {
      *rest = uri.substr(colon + 1);
      return *d;
    }
  }
  if (scheme == "rados")
    fail(RGW_ERR_INVALID_URI, "this librgw was built without the rados driver: '" + uri + "'");
  std::string schemes;
  for (const StoreDriver* d : store_drivers()) schemes += std::string(d->scheme) + ": or ";
  fail(RGW_ERR_INVALID_URI,
       "store URI must start with " + schemes + "be an absolute path: '" + uri + "'");
}

std::string store_uri_decode(const std::string& s, const std::string& uri) {
  std::string out;
  if (!http::percent_decode(s, out)) fail(RGW_ERR_INVALID_URI, "bad %-escape in store URI: " + uri);
  return out;
}

std::string canonical_store_uri(const std::string& uri) {
  std::string rest;
  const StoreDriver& d = store_driver_for(uri, &rest);
  return d.canonical(rest, uri);
}

unsigned default_io_threads(const std::string& uri) {
  std::string rest;
  return store_driver_for(uri, &rest).default_io_threads;
}

std::unique_ptr<Store> open_store(const std::string& uri) {
  std::string rest;
  const StoreDriver& d = store_driver_for(uri, &rest);
  return d.open(rest, uri);
}

}  // namespace rgw
