// router.h - which protocol serves a request, by its path.
//
// Routes are tried in the order they were added; the first whose match()
// accepts the request's path wins, and the fallback (S3, which owns every
// path no other protocol claims) serves the rest -- including requests too
// broken to route, so that every error has a protocol to render it.
// Adding a protocol is one add() in Gateway's constructor.
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "gateway/protocol.h"

namespace rgw {

class Router {
 public:
  // Whether a route takes a request, from its raw (still percent-encoded)
  // path, e.g. "/auth/v1.0" or "/swift/v1/AUTH_acct/c/o".
  using Match = std::function<bool(std::string_view raw_path)>;

  explicit Router(std::unique_ptr<Protocol> fallback) : fallback_(std::move(fallback)) {}

  void add(Match match, std::unique_ptr<Protocol> protocol);
  Protocol& route(std::string_view raw_path) const;
  Protocol& fallback() const { return *fallback_; }

 private:
  struct Route {
    Match match;
    std::unique_ptr<Protocol> protocol;
  };
  std::vector<Route> routes_;
  std::unique_ptr<Protocol> fallback_;
};

}  // namespace rgw
