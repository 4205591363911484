// capi/config.cpp - the C API of gateway configurations and of the option
// table (librgw.h, "gateway configuration").
#include "capi/config.h"

#include <cerrno>

#include "capi/guard.h"
#include "gateway/options.h"

using rgw::capi::guarded_call;

RGW_API int rgw_config_create(rgw_config_t** out) {
  return guarded_call([&] {
    if (!out) rgw::fail(-EINVAL, "out is NULL");
    *out = new rgw_config{};
    return 0;
  });
}

RGW_API int rgw_config_set(rgw_config_t* cfg, const char* name, const char* value) {
  return guarded_call([&] {
    if (!cfg || !name || !value) rgw::fail(-EINVAL, "NULL argument");
    cfg->config.set(name, value);  // throws, unchanged, on a bad value
    cfg->text[name] = value;
    return 0;
  });
}

RGW_API void rgw_config_free(rgw_config_t* cfg) { delete cfg; }

RGW_API size_t rgw_config_option_count(void) { return rgw::option_count(); }

RGW_API int rgw_config_option(size_t i, const char** name, const char** type,
                              const char** default_value, unsigned* flags, const char** doc) {
  if (i >= rgw::option_count()) return -ERANGE;
  const rgw::OptionDef& o = rgw::option(i);
  if (name) *name = o.name;
  if (type) *type = o.type;
  if (default_value) *default_value = o.default_value;
  if (flags) *flags = o.flags;
  if (doc) *doc = o.doc;
  return 0;
}

RGW_API const char* rgw_config_get(const rgw_config_t* cfg, const char* name) {
  if (!cfg || !name) return nullptr;
  const rgw::OptionDef* o = rgw::find_option(name);
  if (!o) return nullptr;
  auto it = cfg->text.find(o->name);
  return it != cfg->text.end() ? it->second.c_str() : o->default_value;
}

RGW_API int rgw_config_get_uint(const rgw_config_t* cfg, const char* name, uint64_t* out) {
  return guarded_call([&] {
    if (!cfg || !name || !out) rgw::fail(-EINVAL, "NULL argument");
    const rgw::OptionDef* o = rgw::find_option(name);
    if (!o) rgw::fail(RGW_ERR_INVALID_ARGUMENT, std::string("unknown gateway option: ") + name);
    if (!o->number)
      rgw::fail(RGW_ERR_INVALID_ARGUMENT,
                std::string(name) + ": not a number (a " + o->type + " option)");
    *out = cfg->config.*(o->number);
    return 0;
  });
}

RGW_API int rgw_config_same_gateway(const rgw_config_t* a, const rgw_config_t* b) {
  return guarded_call([&] {
    if (!a || !b) rgw::fail(-EINVAL, "NULL argument");
    return rgw::same_gateway(a->config, b->config) ? 1 : 0;
  });
}
