// options.h - the table of gateway options: the one list every door derives
// from (rgw_config_option() in C, pyrgw.options in Python, the nginx
// directives through a test).  Adding an option is one entry in options.cpp,
// plus its field in GatewayConfig and its use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "gateway/config.h"

namespace rgw {

struct OptionDef {
  const char* name;
  const char* type;           // "uri", "string", "list", "size" or "count"
  const char* default_value;  // as text; "" for none
  unsigned flags;             // RGW_OPT_* (librgw.h)
  const char* doc;            // one line
  // Parses and checks value, then stores it in cfg; throws rgw::Error
  // (RGW_ERR_INVALID_ARGUMENT) naming the option, leaving cfg unchanged.
  void (*set)(GatewayConfig& cfg, const std::string& value);
  // Whether a and b hold the same value (what "equal" means for the option).
  bool (*same)(const GatewayConfig& a, const GatewayConfig& b);
  // For "size" and "count" options, the field that holds the number.
  uint64_t GatewayConfig::*number;
};

size_t option_count();
const OptionDef& option(size_t i);  // i < option_count()
// The option called name, or nullptr.
const OptionDef* find_option(const std::string& name);
// Whether two configurations may share one gateway: every RGW_OPT_GATEWAY
// option holds the same value.
bool same_gateway(const GatewayConfig& a, const GatewayConfig& b);

}  // namespace rgw
