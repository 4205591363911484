// router.cpp - protocol routing by path.
#include "gateway/router.h"

namespace rgw {

void Router::add(Match match, std::unique_ptr<Protocol> protocol) {
  routes_.push_back(Route{std::move(match), std::move(protocol)});
}

Protocol& Router::route(std::string_view raw_path) const {
  for (const auto& r : routes_)
    if (r.match(raw_path)) return *r.protocol;
  return *fallback_;
}

}  // namespace rgw
