/*
 * mod_rgw: the module record, its directives and per-directory config.
 *
 *   RGW On|Off              serve S3 here (a <Location>, a <VirtualHost> ...)
 *   RGWStore uri            the store: local:/path or rados:...
 *   RGWRegion name          the region signatures name (us-east-1)
 *   RGWDomains d1 [d2 ...]  virtual-hosted-style domains
 *   RGWMaxObjectSize size   the largest single PUT or part (5g)
 *   RGWSwiftPrefix path     the Swift API's path prefix (swift/v1; "" for none)
 *   RGWBufferSize size      one store read or write, one body chunk (128k)
 *
 * Every value is checked by the core when the directive is read, so that
 * "apache2 -t" refuses a bad one naming the directive; "RGW On" without a
 * store in the same or an enclosing section is refused at check_config.
 * Sections inherit what they do not set.
 */

#include "mod_rgw.h"

static const char *const option_names[RGW_NOPTIONS] = {
    "store", "region", "domains", "max_object_size", "swift_prefix", "buffer_size",
};

static const char *const option_directives[RGW_NOPTIONS] = {
    "RGWStore", "RGWRegion", "RGWDomains", "RGWMaxObjectSize", "RGWSwiftPrefix",
    "RGWBufferSize",
};

const char *rgw_option_name(rgw_option_e option)
{
    return option_names[option];
}

const char *rgw_option_directive(rgw_option_e option)
{
    return option_directives[option];
}

static void *rgw_create_dir_conf(apr_pool_t *p, char *dir)
{
    rgw_dir_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    conf->enable = -1;
    return conf;
}

void *rgw_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    const rgw_dir_conf_t *base = basev, *add = addv;
    rgw_dir_conf_t *conf = apr_palloc(p, sizeof(*conf));
    int i;

    conf->enable = add->enable != -1 ? add->enable : base->enable;
    conf->enabled_at = add->enable != -1 ? add->enabled_at : base->enabled_at;
    for (i = 0; i < RGW_NOPTIONS; i++) {
        conf->option[i] = add->option[i] ? add->option[i] : base->option[i];
    }
    conf->domains_line = NULL;
    conf->buffer_size = add->buffer_size ? add->buffer_size : base->buffer_size;
    return conf;
}

/* "file:line" of the directive being read, for later messages. */
static const char *directive_place(cmd_parms *cmd)
{
    return apr_psprintf(cmd->pool, "%s:%d", cmd->directive->filename,
                        cmd->directive->line_num);
}

static const char *set_enable(cmd_parms *cmd, void *dconf, int on)
{
    rgw_dir_conf_t *conf = dconf;

    conf->enable = on;
    conf->enabled_at = directive_place(cmd);
    return NULL;
}

/*
 * Sets the option on a scratch configuration, so a bad value fails at once
 * with the core's own message.  For RGWBufferSize, *size gets the bytes.
 */
static const char *check_option(cmd_parms *cmd, rgw_option_e option, const char *value,
                                apr_size_t *size)
{
    rgw_config_t *cfg;
    const char *err = NULL;
    uint64_t bytes;

    if (rgw_config_create(&cfg) < 0) {
        return apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, rgw_last_error());
    }
    if (rgw_config_set(cfg, option_names[option], value) < 0) {
        err = apr_psprintf(cmd->pool, "%s \"%s\": %s", cmd->cmd->name, value, rgw_last_error());
    } else if (option == RGW_BUFFER_SIZE) {
        if (rgw_config_get_uint(cfg, "buffer_size", &bytes) < 0 || bytes > (uint64_t)APR_SIZE_MAX) {
            err = apr_psprintf(cmd->pool, "%s \"%s\": too large", cmd->cmd->name, value);
        } else {
            *size = (apr_size_t)bytes;
        }
    }
    rgw_config_free(cfg);
    return err;
}

/* The option's text is kept for the gateway (rgw_gateway.c). */
static const char *set_option(cmd_parms *cmd, void *dconf, const char *value)
{
    rgw_dir_conf_t *conf = dconf;
    rgw_option_e option = (rgw_option_e)(apr_uintptr_t)cmd->info;
    apr_size_t size = 0;
    const char *err = check_option(cmd, option, value, &size);

    if (err) {
        return err;
    }
    conf->option[option] = apr_pstrdup(cmd->pool, value);
    if (option == RGW_BUFFER_SIZE) {
        conf->buffer_size = size;
    }
    return NULL;
}

/*
 * RGWSwiftPrefix takes one argument that may be "" (no prefix), which
 * TAKE1 refuses: it is read from the raw arguments.
 */
static const char *set_swift_prefix(cmd_parms *cmd, void *dconf, const char *args)
{
    const char *value;

    if (*args == '\0') {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, " takes one argument, ",
                           cmd->cmd->errmsg, NULL);
    }
    value = ap_getword_conf(cmd->temp_pool, &args);
    if (*args != '\0') {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, " takes one argument, ",
                           cmd->cmd->errmsg, NULL);
    }
    return set_option(cmd, dconf, value);
}

/* RGWDomains takes several domains: one comma-separated option. */
static const char *add_domain(cmd_parms *cmd, void *dconf, const char *domain)
{
    rgw_dir_conf_t *conf = dconf;
    const char *err;

    if (strchr(domain, ',')) {
        return apr_psprintf(cmd->pool, "%s \"%s\": one domain per argument, separated by "
                            "spaces", cmd->cmd->name, domain);
    }
    err = check_option(cmd, RGW_DOMAINS, domain, NULL);
    if (err) {
        return err;
    }
    if (conf->domains_line != cmd->directive || conf->option[RGW_DOMAINS] == NULL) {
        conf->option[RGW_DOMAINS] = apr_pstrdup(cmd->pool, domain); /* a new line replaces */
        conf->domains_line = cmd->directive;
    } else {
        conf->option[RGW_DOMAINS] = apr_pstrcat(cmd->pool, conf->option[RGW_DOMAINS], ",",
                                                domain, NULL);
    }
    return NULL;
}

#define RGW_OPTION(directive, option, help)                                           \
    AP_INIT_TAKE1(directive, set_option, (void *)(apr_uintptr_t)(option),          \
                  RSRC_CONF | ACCESS_CONF, help)

static const command_rec rgw_cmds[] = {
    AP_INIT_FLAG("RGW", set_enable, NULL, RSRC_CONF | ACCESS_CONF,
                 "On to serve S3 from the store RGWStore names here"),
    RGW_OPTION("RGWStore", RGW_STORE, "the store: local:/path or rados:pool[?options]"),
    RGW_OPTION("RGWRegion", RGW_REGION, "the region signatures name (default us-east-1)"),
    AP_INIT_ITERATE("RGWDomains", add_domain, NULL, RSRC_CONF | ACCESS_CONF,
                    "virtual-hosted-style domains: Host bucket.<domain> names the bucket"),
    RGW_OPTION("RGWMaxObjectSize", RGW_MAX_OBJECT_SIZE,
               "the largest single PUT or part, e.g. 5g (default 5g)"),
    AP_INIT_RAW_ARGS("RGWSwiftPrefix", set_swift_prefix, (void *)(apr_uintptr_t)RGW_SWIFT_PREFIX,
                     RSRC_CONF | ACCESS_CONF,
                     "the path prefix of the Swift API, \"\" for none (default swift/v1)"),
    RGW_OPTION("RGWBufferSize", RGW_BUFFER_SIZE,
               "one store read or write and one body chunk, e.g. 128k (default 128k)"),
    {NULL}
};

static int rgw_on(request_rec *r)
{
    const rgw_dir_conf_t *conf = ap_get_module_config(r->per_dir_config, &rgw_module);

    return conf->enable == 1;
}

/*
 * A request under "RGW On" is the gateway's: it names no file, so the
 * handler is set here and map_to_storage skips the filesystem walk.
 */
static int rgw_translate_name(request_rec *r)
{
    if (r->main || !rgw_on(r)) {
        return DECLINED;
    }
    r->handler = RGW_HANDLER;
    r->filename = apr_pstrcat(r->pool, "rgw:", r->uri, NULL);
    return OK;
}

static int rgw_map_to_storage(request_rec *r)
{
    if (r->handler && strcmp(r->handler, RGW_HANDLER) == 0 && r->filename
        && strncmp(r->filename, "rgw:", 4) == 0) {
        return OK; /* no <Directory> or <Files> walk: there is no file */
    }
    return DECLINED;
}

/*
 * The last word on the handler: "RGW On" in a <Directory> is known only
 * after the walks, and another module may have set its own handler since.
 */
static int rgw_fixups(request_rec *r)
{
    if (!r->main && rgw_on(r)) {
        r->handler = RGW_HANDLER;
    }
    return DECLINED;
}

static int rgw_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                            server_rec *s)
{
    return rgw_plan_gateways(pconf, plog, ptemp, s);
}

static void rgw_child_init(apr_pool_t *pchild, server_rec *s)
{
    rgw_open_gateways(pchild, s);
}

static void rgw_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_check_config(rgw_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(rgw_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_translate_name(rgw_translate_name, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_map_to_storage(rgw_map_to_storage, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_fixups(rgw_fixups, NULL, NULL, APR_HOOK_LAST);
    ap_hook_handler(rgw_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(rgw) = {
    STANDARD20_MODULE_STUFF,
    rgw_create_dir_conf,   /* per-directory config */
    rgw_merge_dir_conf,    /* merge per-directory config */
    NULL,                  /* per-server config: the gateways are the process's */
    NULL,                  /* merge per-server config */
    rgw_cmds,              /* directives */
    rgw_register_hooks     /* hooks */
};
