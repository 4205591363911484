// store_driver.h - store drivers, registered by URI scheme.
//
// A store URI is "<scheme>:<rest>" (docs/store-uri.md); the driver of that
// scheme checks it, names the store it means, and opens it.  The drivers
// built into this library are listed in store_drivers.cpp; the RADOS driver
// is a build option (LIBRGW_WITH_RADOS), so a local-only build needs no
// librados.  Adding a driver is a new directory plus one entry there.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store.h"

namespace rgw {

struct StoreDriver {
  const char* scheme;  // "local", "rados"
  // I/O threads of an aio queue on such a store by default
  // (rgw_aio_queue_create() with 0 threads).
  unsigned default_io_threads;
  // Checks `rest` (the URI after "scheme:") without opening anything, and
  // returns the store's canonical name: two URIs name the same store exactly
  // when their canonical names are equal.  RGW_ERR_INVALID_URI, with a
  // message quoting `uri`, if it is malformed.
  std::string (*canonical)(const std::string& rest, const std::string& uri);
  // Opens the store.
  std::unique_ptr<Store> (*open)(const std::string& rest, const std::string& uri);
};

// The drivers this library was built with, in a fixed order.
const std::vector<const StoreDriver*>& store_drivers();

// The driver a URI names, and the rest of the URI after its scheme.  A bare
// absolute path names the local driver.  RGW_ERR_INVALID_URI for an unknown
// scheme, or one this build left out.
const StoreDriver& store_driver_for(const std::string& uri, std::string* rest);

// Percent-decodes part of a store URI (RGW_ERR_INVALID_URI on a bad escape).
std::string store_uri_decode(const std::string& s, const std::string& uri);

// The drivers' own entries (local/local_driver.cpp, rados/rados_driver.cpp).
namespace local {
extern const StoreDriver kDriver;
}
namespace rados {
extern const StoreDriver kDriver;
}

}  // namespace rgw
