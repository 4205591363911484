// config.cpp - a gateway configuration, set option by option from text.
#include "gateway/config.h"

#include "errors.h"
#include "gateway/options.h"

namespace rgw {

GatewayConfig::GatewayConfig() {
  for (size_t i = 0; i < option_count(); ++i) {
    const OptionDef& o = option(i);
    if (*o.default_value) o.set(*this, o.default_value);
  }
}

void GatewayConfig::set(const std::string& name, const std::string& value) {
  const OptionDef* o = find_option(name);
  if (!o) fail(RGW_ERR_INVALID_ARGUMENT, "unknown gateway option: " + name);
  o->set(*this, value);
}

}  // namespace rgw
