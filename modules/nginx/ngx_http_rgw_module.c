/*
 * ngx_http_rgw_module: directives, configuration and module hooks.
 * The directives are documented in docs/nginx-module.md.
 *
 * Each gateway option of the core (rgw_config_option(): store, region, ...)
 * is one directive, rgw_<option>, set by ngx_http_rgw_set_option(): it keeps
 * the text and has the core check it, so that "nginx -t" prints the core's
 * message with the directive's line.  Adding an option is one command below
 * and one field in ngx_http_rgw_options_t (a test checks the directives
 * against the core's table both ways).  Defaults are the core's.
 */

#include "ngx_http_rgw_module.h"


static void *ngx_http_rgw_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_rgw_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_rgw_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_http_rgw_postconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_rgw_init_process(ngx_cycle_t *cycle);
static void ngx_http_rgw_exit_process(ngx_cycle_t *cycle);

static char *ngx_http_rgw_enable(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_rgw_set_option(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

static rgw_config_t *ngx_http_rgw_location_config(ngx_conf_t *cf,
    ngx_http_rgw_loc_conf_t *rlcf);
static ngx_int_t ngx_http_rgw_add_gateway(ngx_conf_t *cf,
    ngx_http_rgw_loc_conf_t *rlcf, rgw_config_t *config);
static ngx_int_t ngx_http_rgw_validate(ngx_conf_t *cf, ngx_command_t *cmd,
    ngx_str_t *value);
static void ngx_http_rgw_config_cleanup(void *data);


/*
 * The option directives: cmd->post names the core's option (it is not an
 * ngx_conf_post_t), cmd->offset is the field that keeps its text.
 */

static ngx_command_t  ngx_http_rgw_commands[] = {

    { ngx_string("rgw"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_http_rgw_enable,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_rgw_loc_conf_t, enable),
      NULL },

    { ngx_string("rgw_store"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_rgw_set_option,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_rgw_loc_conf_t, options.store),
      (void *) "store" },

    { ngx_string("rgw_region"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_rgw_set_option,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_rgw_loc_conf_t, options.region),
      (void *) "region" },

    { ngx_string("rgw_domains"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_rgw_set_option,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_rgw_loc_conf_t, options.domains),
      (void *) "domains" },

    { ngx_string("rgw_max_object_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_rgw_set_option,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_rgw_loc_conf_t, options.max_object_size),
      (void *) "max_object_size" },

    { ngx_string("rgw_buffer_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_rgw_set_option,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_rgw_loc_conf_t, options.buffer_size),
      (void *) "buffer_size" },

    { ngx_string("rgw_swift_prefix"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_rgw_set_option,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_rgw_loc_conf_t, options.swift_prefix),
      (void *) "swift_prefix" },

    /* http level only: the worker's queues are made before any request */

    { ngx_string("rgw_threads"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_rgw_set_option,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_rgw_main_conf_t, threads),
      (void *) "threads" },

    { ngx_string("rgw_loop_reads"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_rgw_set_option,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_rgw_main_conf_t, loop_reads),
      (void *) "loop_reads" },

    { ngx_string("rgw_loop_writes"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_rgw_set_option,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_rgw_main_conf_t, loop_writes),
      (void *) "loop_writes" },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_rgw_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_rgw_postconfiguration,        /* postconfiguration */

    ngx_http_rgw_create_main_conf,         /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_rgw_create_loc_conf,          /* create location configuration */
    ngx_http_rgw_merge_loc_conf            /* merge location configuration */
};


ngx_module_t  ngx_http_rgw_module = {
    NGX_MODULE_V1,
    &ngx_http_rgw_module_ctx,              /* module context */
    ngx_http_rgw_commands,                 /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_rgw_init_process,             /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_rgw_exit_process,             /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static void *
ngx_http_rgw_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_rgw_main_conf_t  *rmcf;

    rmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_rgw_main_conf_t));
    if (rmcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     rmcf->threads = { 0, NULL };
     *     rmcf->loop_reads = { 0, NULL };
     *     rmcf->loop_writes = { 0, NULL };
     */

    if (ngx_array_init(&rmcf->gateways, cf->pool, 2,
                       sizeof(ngx_http_rgw_gateway_t))
        != NGX_OK)
    {
        return NULL;
    }

    return rmcf;
}


static void *
ngx_http_rgw_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_rgw_loc_conf_t  *rlcf;

    rlcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_rgw_loc_conf_t));
    if (rlcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     rlcf->options = { { 0, NULL }, ... }: nothing set here;
     *     rlcf->buffer_size = 0;
     *     rlcf->enabled_in = NULL;
     */

    rlcf->enable = NGX_CONF_UNSET;
    rlcf->gateway = NGX_CONF_UNSET_UINT;

    return rlcf;
}


static char *
ngx_http_rgw_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_rgw_loc_conf_t  *prev = parent;
    ngx_http_rgw_loc_conf_t  *conf = child;

    ngx_str_t                 *field;
    ngx_uint_t                 i, nfields;
    rgw_config_t              *config;

    ngx_conf_merge_value(conf->enable, prev->enable, 0);

    /* each option not set here is inherited; unset, the core's default */

    field = (ngx_str_t *) &conf->options;
    nfields = sizeof(ngx_http_rgw_options_t) / sizeof(ngx_str_t);

    for (i = 0; i < nfields; i++) {
        if (field[i].data == NULL) {
            field[i] = ((ngx_str_t *) &prev->options)[i];
        }
    }

    if (conf->enabled_in == NULL) {
        conf->enabled_in = prev->enabled_in;
    }

    if (!conf->enable) {
        return NGX_CONF_OK;
    }

    config = ngx_http_rgw_location_config(cf, conf);
    if (config == NULL) {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_rgw_add_gateway(cf, conf, config) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_rgw_postconfiguration(ngx_conf_t *cf)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_CONTENT_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_rgw_handler;

    return NGX_OK;
}


static ngx_int_t
ngx_http_rgw_init_process(ngx_cycle_t *cycle)
{
    return ngx_http_rgw_init_worker(cycle);
}


static void
ngx_http_rgw_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_rgw_exit_worker(cycle);
}


/* "rgw on|off": also remembers where, for the missing-store message. */

static char *
ngx_http_rgw_enable(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_rgw_loc_conf_t  *rlcf = conf;

    char    *rv;
    size_t   len;

    rv = ngx_conf_set_flag_slot(cf, cmd, conf);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    len = cf->conf_file->file.name.len + NGX_INT_T_LEN + 2;

    rlcf->enabled_in = ngx_pnalloc(cf->pool, len);
    if (rlcf->enabled_in == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_snprintf(rlcf->enabled_in, len, "%V:%ui%Z",
                 &cf->conf_file->file.name, cf->conf_file->line);

    return NGX_CONF_OK;
}


/*
 * rgw_<option>: keeps the text, once the core has accepted it.  A directive
 * that takes several arguments (rgw_domains) is a list: one item per
 * argument, kept comma separated, as the core takes it.
 */

static char *
ngx_http_rgw_set_option(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    u_char      *p;
    size_t       len;
    ngx_str_t   *field, *value;
    ngx_uint_t   i;

    field = (ngx_str_t *) ((char *) conf + cmd->offset);

    if (field->data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (!(cmd->type & NGX_CONF_1MORE)) {

        /* "" is a value only for rgw_swift_prefix: no prefix */

        if (value[1].len == 0
            && ngx_strcmp((char *) cmd->post, "swift_prefix") != 0)
        {
            return "must not be empty";
        }

        if (ngx_http_rgw_validate(cf, cmd, &value[1]) != NGX_OK) {
            return NGX_CONF_ERROR;
        }

        *field = value[1];

        return NGX_CONF_OK;
    }

    len = 0;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strlchr(value[i].data, value[i].data + value[i].len, ',')
            != NULL
            || ngx_strlchr(value[i].data, value[i].data + value[i].len, ' ')
               != NULL)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid value \"%V\" in \"%V\" directive: "
                               "one value per argument",
                               &value[i], &cmd->name);
            return NGX_CONF_ERROR;
        }

        if (ngx_http_rgw_validate(cf, cmd, &value[i]) != NGX_OK) {
            return NGX_CONF_ERROR;
        }

        len += value[i].len + 1;
    }

    p = ngx_pnalloc(cf->pool, len);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    field->data = p;

    for (i = 1; i < cf->args->nelts; i++) {
        if (i > 1) {
            *p++ = ',';
        }
        p = ngx_cpymem(p, value[i].data, value[i].len);
    }

    field->len = p - field->data;
    *p = '\0';

    return NGX_CONF_OK;
}


/*
 * Sets one core option on a scratch configuration, so that a bad value
 * fails "nginx -t" with the core's own message and the directive's line.
 */

static ngx_int_t
ngx_http_rgw_validate(ngx_conf_t *cf, ngx_command_t *cmd, ngx_str_t *value)
{
    int            rc;
    rgw_config_t  *cfg;

    if (rgw_config_create(&cfg) < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "rgw: %s", rgw_last_error());
        return NGX_ERROR;
    }

    /* configuration arguments are NUL-terminated */
    rc = rgw_config_set(cfg, cmd->post, (const char *) value->data);

    if (rc < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\" directive: %s",
                           value, &cmd->name, rgw_last_error());
    }

    rgw_config_free(cfg);

    return rc < 0 ? NGX_ERROR : NGX_OK;
}


/*
 * The location's configuration: every option set in it or above it (the
 * http-level ones included), the rest at the core's defaults.
 */

static rgw_config_t *
ngx_http_rgw_location_config(ngx_conf_t *cf, ngx_http_rgw_loc_conf_t *rlcf)
{
    size_t                     i;
    uint64_t                   size;
    ngx_str_t                 *field;
    unsigned                   flags;
    const char                *name;
    rgw_config_t              *config;
    ngx_command_t             *cmd;
    ngx_http_rgw_main_conf_t  *rmcf;

    rmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_rgw_module);

    if (rgw_config_create(&config) < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "rgw: %s", rgw_last_error());
        return NULL;
    }

    for (cmd = ngx_http_rgw_commands; cmd->name.len; cmd++) {

        if (cmd->set != ngx_http_rgw_set_option) {
            continue;
        }

        field = (ngx_str_t *) ((char *) (cmd->conf == NGX_HTTP_MAIN_CONF_OFFSET
                                         ? (void *) rmcf : (void *) rlcf)
                               + cmd->offset);

        if (field->data == NULL) {
            continue;
        }

        if (rgw_config_set(config, cmd->post, (const char *) field->data) < 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "rgw: %s",
                               rgw_last_error());
            goto failed;
        }
    }

    /* what rgw on cannot do without (the store) */

    for (i = 0; rgw_config_option(i, &name, NULL, NULL, &flags, NULL) == 0;
         i++)
    {
        if ((flags & RGW_OPT_REQUIRED) && *rgw_config_get(config, name) == '\0')
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"rgw on\" (%s) needs \"rgw_%s\" "
                               "in the same or an enclosing block",
                               rlcf->enabled_in ? rlcf->enabled_in
                                                : (u_char *) "inherited",
                               name);
            goto failed;
        }
    }

    if (rgw_config_get_uint(config, "buffer_size", &size) < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "rgw: %s", rgw_last_error());
        goto failed;
    }

    if (size > NGX_MAX_SIZE_T_VALUE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "rgw: buffer_size %uL is too large", size);
        goto failed;
    }

    rlcf->buffer_size = (size_t) size;

    return config;

failed:

    rgw_config_free(config);

    return NULL;
}


/*
 * Finds or adds the gateway for a location's configuration: locations the
 * core says may share one (rgw_config_same_gateway()) do, so there is one
 * store connection per worker for them.  Takes the configuration over.
 */

static ngx_int_t
ngx_http_rgw_add_gateway(ngx_conf_t *cf, ngx_http_rgw_loc_conf_t *rlcf,
    rgw_config_t *config)
{
    ngx_uint_t                 i;
    ngx_pool_cleanup_t        *cln;
    ngx_http_rgw_gateway_t    *gw;
    ngx_http_rgw_main_conf_t  *rmcf;

    rmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_rgw_module);

    gw = rmcf->gateways.elts;

    for (i = 0; i < rmcf->gateways.nelts; i++) {
        if (rgw_config_same_gateway(gw[i].config, config) == 1) {
            rgw_config_free(config);
            rlcf->gateway = i;
            return NGX_OK;
        }
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        rgw_config_free(config);
        return NGX_ERROR;
    }

    cln->handler = ngx_http_rgw_config_cleanup;
    cln->data = config;

    gw = ngx_array_push(&rmcf->gateways);
    if (gw == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(gw, sizeof(ngx_http_rgw_gateway_t));
    gw->config = config;
    gw->store = rlcf->options.store;
    rlcf->gateway = rmcf->gateways.nelts - 1;

    return NGX_OK;
}


static void
ngx_http_rgw_config_cleanup(void *data)
{
    rgw_config_free(data);
}
