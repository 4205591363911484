// capi/config.h - what a rgw_config_t holds (capi/config.cpp; read by
// rgw_gateway_open() in capi/request.cpp).
#pragma once

#include <map>
#include <string>

#include "gateway/config.h"
#include "librgw/librgw.h"

struct rgw_config {
  rgw::GatewayConfig config;                // parsed, defaults included
  std::map<std::string, std::string> text;  // the options set, as given (rgw_config_get)
};
