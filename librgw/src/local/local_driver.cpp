// local_driver.cpp - the local driver's store URIs:
//   local:/abs/dir   local:///abs/dir   /abs/dir
// (the directory percent-decoded; it must be absolute).
#include "errors.h"
#include "store_driver.h"

namespace rgw::local {

namespace {

std::string directory(const std::string& rest, const std::string& uri) {
  std::string path = rest;
  if (uri[0] != '/') {                                    // not a bare path
    if (path.rfind("//", 0) == 0) path = path.substr(2);  // local:///abs -> /abs
    path = store_uri_decode(path, uri);
  }
  if (path.empty() || path[0] != '/')
    fail(RGW_ERR_INVALID_URI, "local store URI needs an absolute directory: " + uri);
  return path;
}

// The directory without repeated or trailing slashes.
std::string canonical(const std::string& rest, const std::string& uri) {
  std::string out;
  for (char c : directory(rest, uri))
    if (c != '/' || out.empty() || out.back() != '/') out += c;
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return "local:" + out;
}

std::unique_ptr<Store> open(const std::string& rest, const std::string& uri) {
  return open_local_store(directory(rest, uri));
}

}  // namespace

// A local store's writers of one process share their commits
// (group_commit.h) and its reads run on read connections of their own: the
// more writers in flight, the bigger the batches that share a COMMIT and
// the fsyncs.  8 I/O threads, as for RADOS.
const StoreDriver kDriver{"local", 8, canonical, open};

}  // namespace rgw::local
