/*
 * ngx_http_rgw_module: directives, configuration and module hooks.
 * The directives are documented in docs/nginx-module.md.
 */

#include "ngx_http_rgw_module.h"


#define NGX_HTTP_RGW_DEFAULT_REGION       "us-east-1"
#define NGX_HTTP_RGW_DEFAULT_MAX_OBJECT   ((off_t) 5 * 1024 * 1024 * 1024)
#define NGX_HTTP_RGW_DEFAULT_BUFFER       (128 * 1024)
#define NGX_HTTP_RGW_MAX_THREADS          256


static void *ngx_http_rgw_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_rgw_init_main_conf(ngx_conf_t *cf, void *conf);
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
static char *ngx_http_rgw_set_domains(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_rgw_check_positive_size(ngx_conf_t *cf, void *post,
    void *data);
static char *ngx_http_rgw_check_positive_off(ngx_conf_t *cf, void *post,
    void *data);
static char *ngx_http_rgw_check_threads(ngx_conf_t *cf, void *post,
    void *data);

static ngx_int_t ngx_http_rgw_add_gateway(ngx_conf_t *cf,
    ngx_http_rgw_loc_conf_t *rlcf);
static ngx_int_t ngx_http_rgw_validate(ngx_conf_t *cf, const char *name,
    ngx_str_t *value);
static void ngx_http_rgw_config_cleanup(void *data);


static ngx_conf_post_handler_pt  ngx_http_rgw_positive_size_p =
    ngx_http_rgw_check_positive_size;
static ngx_conf_post_handler_pt  ngx_http_rgw_positive_off_p =
    ngx_http_rgw_check_positive_off;
static ngx_conf_post_handler_pt  ngx_http_rgw_threads_p =
    ngx_http_rgw_check_threads;


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
      offsetof(ngx_http_rgw_loc_conf_t, store),
      (void *) "store" },

    { ngx_string("rgw_region"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_rgw_set_option,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_rgw_loc_conf_t, region),
      (void *) "region" },

    { ngx_string("rgw_domains"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_rgw_set_domains,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_rgw_loc_conf_t, domains),
      NULL },

    { ngx_string("rgw_max_object_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_off_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_rgw_loc_conf_t, max_object_size),
      &ngx_http_rgw_positive_off_p },

    { ngx_string("rgw_buffer_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_rgw_loc_conf_t, buffer_size),
      &ngx_http_rgw_positive_size_p },

    { ngx_string("rgw_threads"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_rgw_main_conf_t, threads),
      &ngx_http_rgw_threads_p },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_rgw_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_rgw_postconfiguration,        /* postconfiguration */

    ngx_http_rgw_create_main_conf,         /* create main configuration */
    ngx_http_rgw_init_main_conf,           /* init main configuration */

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

    if (ngx_array_init(&rmcf->gateways, cf->pool, 2,
                       sizeof(ngx_http_rgw_gateway_t))
        != NGX_OK)
    {
        return NULL;
    }

    rmcf->threads = NGX_CONF_UNSET_UINT;

    return rmcf;
}


static char *
ngx_http_rgw_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_rgw_main_conf_t  *rmcf = conf;

    /* 0: each gateway takes its store's default (ngx_http_rgw_worker.c) */
    ngx_conf_init_uint_value(rmcf->threads, 0);

    return NGX_CONF_OK;
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
     *     rlcf->store = { 0, NULL };
     *     rlcf->region = { 0, NULL };
     *     rlcf->enabled_in = NULL;
     */

    rlcf->enable = NGX_CONF_UNSET;
    rlcf->domains = NGX_CONF_UNSET_PTR;
    rlcf->max_object_size = NGX_CONF_UNSET;
    rlcf->buffer_size = NGX_CONF_UNSET_SIZE;
    rlcf->gateway = NGX_CONF_UNSET_UINT;

    return rlcf;
}


static char *
ngx_http_rgw_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_rgw_loc_conf_t  *prev = parent;
    ngx_http_rgw_loc_conf_t  *conf = child;

    ngx_conf_merge_value(conf->enable, prev->enable, 0);
    ngx_conf_merge_str_value(conf->store, prev->store, "");
    ngx_conf_merge_str_value(conf->region, prev->region,
                             NGX_HTTP_RGW_DEFAULT_REGION);
    ngx_conf_merge_ptr_value(conf->domains, prev->domains, NULL);
    ngx_conf_merge_off_value(conf->max_object_size, prev->max_object_size,
                             NGX_HTTP_RGW_DEFAULT_MAX_OBJECT);
    ngx_conf_merge_size_value(conf->buffer_size, prev->buffer_size,
                              NGX_HTTP_RGW_DEFAULT_BUFFER);

    if (conf->enabled_in == NULL) {
        conf->enabled_in = prev->enabled_in;
    }

    if (!conf->enable) {
        return NGX_CONF_OK;
    }

    if (conf->store.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"rgw on\" (%s) needs \"rgw_store\" "
                           "in the same or an enclosing block",
                           conf->enabled_in ? conf->enabled_in
                                            : (u_char *) "inherited");
        return NGX_CONF_ERROR;
    }

    if (ngx_http_rgw_add_gateway(cf, conf) != NGX_OK) {
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


/* rgw_store, rgw_region: a string the core validates at once. */

static char *
ngx_http_rgw_set_option(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_str_t  *field, *value;

    /* cmd->post names the core option; it is not an ngx_conf_post_t */

    field = (ngx_str_t *) ((char *) conf + cmd->offset);

    if (field->data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        return "must not be empty";
    }

    if (ngx_http_rgw_validate(cf, cmd->post, &value[1]) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    *field = value[1];

    return NGX_CONF_OK;
}


static char *
ngx_http_rgw_set_domains(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_rgw_loc_conf_t  *rlcf = conf;

    ngx_str_t   *value, *d;
    ngx_uint_t   i;

    if (rlcf->domains != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    rlcf->domains = ngx_array_create(cf->pool, cf->args->nelts - 1,
                                     sizeof(ngx_str_t));
    if (rlcf->domains == NULL) {
        return NGX_CONF_ERROR;
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strlchr(value[i].data, value[i].data + value[i].len, ',')
            != NULL
            || ngx_http_rgw_validate(cf, "domains", &value[i]) != NGX_OK)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid domain \"%V\" in \"rgw_domains\"",
                               &value[i]);
            return NGX_CONF_ERROR;
        }

        d = ngx_array_push(rlcf->domains);
        if (d == NULL) {
            return NGX_CONF_ERROR;
        }

        *d = value[i];
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_rgw_check_positive_size(ngx_conf_t *cf, void *post, void *data)
{
    size_t  *sp = data;

    if (*sp == 0) {
        return "must be greater than zero";
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_rgw_check_positive_off(ngx_conf_t *cf, void *post, void *data)
{
    off_t  *op = data;

    if (*op <= 0) {
        return "must be greater than zero";
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_rgw_check_threads(ngx_conf_t *cf, void *post, void *data)
{
    ngx_uint_t  *np = data;

    if (*np == 0 || *np > NGX_HTTP_RGW_MAX_THREADS) {
        return "must be between 1 and 256";
    }

    return NGX_CONF_OK;
}


/*
 * Sets one core option on a scratch configuration, so that a bad value
 * fails "nginx -t" with the core's own message and the directive's line.
 */

static ngx_int_t
ngx_http_rgw_validate(ngx_conf_t *cf, const char *name, ngx_str_t *value)
{
    int            rc;
    rgw_config_t  *cfg;

    if (rgw_config_create(&cfg) < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "rgw: out of memory");
        return NGX_ERROR;
    }

    /* configuration arguments are NUL-terminated */
    rc = rgw_config_set(cfg, name, (const char *) value->data);

    if (rc < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "rgw: %s", rgw_last_error());
    }

    rgw_config_free(cfg);

    return rc < 0 ? NGX_ERROR : NGX_OK;
}


/*
 * Finds or adds the gateway for a location's settings.  Locations with the
 * same settings share one gateway (one store connection per worker).
 */

static ngx_int_t
ngx_http_rgw_add_gateway(ngx_conf_t *cf, ngx_http_rgw_loc_conf_t *rlcf)
{
    u_char                    *p, *domains;
    size_t                     len, dlen;
    ngx_str_t                 *d;
    ngx_uint_t                 i;
    ngx_str_t                  key;
    ngx_pool_cleanup_t        *cln;
    ngx_http_rgw_gateway_t    *gw;
    ngx_http_rgw_main_conf_t  *rmcf;
    u_char                     size[NGX_OFF_T_LEN + 1];

    rmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_rgw_module);

    /* the domains, comma separated, as the core's option takes them */

    dlen = 0;
    d = rlcf->domains ? rlcf->domains->elts : NULL;

    for (i = 0; rlcf->domains && i < rlcf->domains->nelts; i++) {
        dlen += d[i].len + 1;
    }

    domains = ngx_pnalloc(cf->pool, dlen + 1);
    if (domains == NULL) {
        return NGX_ERROR;
    }

    p = domains;

    for (i = 0; rlcf->domains && i < rlcf->domains->nelts; i++) {
        if (i) {
            *p++ = ',';
        }
        p = ngx_cpymem(p, d[i].data, d[i].len);
    }

    *p = '\0';

    ngx_sprintf(size, "%O%Z", rlcf->max_object_size);

    len = rlcf->store.len + rlcf->region.len + (p - domains)
          + ngx_strlen(size) + 4;

    key.data = ngx_pnalloc(cf->pool, len);
    if (key.data == NULL) {
        return NGX_ERROR;
    }

    key.len = ngx_sprintf(key.data, "%V\n%V\n%s\n%s", &rlcf->store,
                          &rlcf->region, domains, size)
              - key.data;

    gw = rmcf->gateways.elts;

    for (i = 0; i < rmcf->gateways.nelts; i++) {
        if (gw[i].key.len == key.len
            && ngx_memcmp(gw[i].key.data, key.data, key.len) == 0)
        {
            rlcf->gateway = i;
            return NGX_OK;
        }
    }

    gw = ngx_array_push(&rmcf->gateways);
    if (gw == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(gw, sizeof(ngx_http_rgw_gateway_t));
    gw->key = key;
    gw->store = rlcf->store;
    rlcf->gateway = rmcf->gateways.nelts - 1;

    if (rgw_config_create(&gw->config) < 0) {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        rgw_config_free(gw->config);
        gw->config = NULL;
        return NGX_ERROR;
    }

    cln->handler = ngx_http_rgw_config_cleanup;
    cln->data = gw->config;

    if (rgw_config_set(gw->config, "store", (char *) rlcf->store.data) < 0
        || rgw_config_set(gw->config, "region", (char *) rlcf->region.data)
           < 0
        || rgw_config_set(gw->config, "domains", (char *) domains) < 0
        || rgw_config_set(gw->config, "max_object_size", (char *) size) < 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "rgw: %s", rgw_last_error());
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_http_rgw_config_cleanup(void *data)
{
    rgw_config_free(data);
}
