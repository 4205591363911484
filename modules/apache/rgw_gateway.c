/*
 * mod_rgw: the gateways, one per distinct configuration.
 *
 * check_config (in the parent, before any fork; "apache2 -t" stops after
 * it) walks every server's default and each <Location> and <Directory>
 * section merged onto it, refuses "RGW On" without a store, and plans one
 * gateway per configuration the core says cannot share
 * (rgw_config_same_gateway()).  Nothing is opened there.
 *
 * child_init opens each planned gateway in the child, and the child's pool
 * closes them.  A store that does not open leaves the child serving: its
 * requests answer 503 and the error log says why.
 *
 * A request finds its gateway by the option strings of its merged config
 * (pointer compares: the strings live in the config pool).  A combination
 * no single section had at start-up (overlapping sections) gets its own
 * entry, opened in the child on first use under a mutex.
 */

#include "mod_rgw.h"

APLOG_USE_MODULE(rgw);

#include "apr_thread_mutex.h"

typedef struct rgw_slot rgw_slot_t;

struct rgw_slot {
    rgw_slot_t *next;
    const char *option[RGW_GATEWAY_OPTIONS]; /* the strings this entry matches */
    rgw_slot_t *owner;                       /* the entry that holds the gateway */
    rgw_config_t *config;                    /* owners only */
    rgw_gateway_t *gateway;                  /* owners only; NULL: not open */
    const char *where;                       /* where it was configured */
};

/* The entries; the list is only ever prepended to, with a release store. */
static rgw_slot_t *slots;
static apr_thread_mutex_t *slots_mutex;
static apr_pool_t *child_pool;
static apr_size_t default_buffer_size;

apr_size_t rgw_default_buffer_size(void)
{
    return default_buffer_size;
}

static apr_status_t free_config(void *data)
{
    rgw_config_free(data);
    return APR_SUCCESS;
}

static rgw_slot_t *find_slot(rgw_slot_t *list, const rgw_dir_conf_t *conf)
{
    rgw_slot_t *slot;
    int i;

    for (slot = list; slot; slot = slot->next) {
        for (i = 0; i < RGW_GATEWAY_OPTIONS && slot->option[i] == conf->option[i]; i++) {
        }
        if (i == RGW_GATEWAY_OPTIONS) {
            return slot;
        }
    }
    return NULL;
}

/*
 * The core's configuration for conf's options, or NULL with *err saying
 * why (the directives were checked one by one; this checks them together).
 */
static rgw_config_t *make_config(apr_pool_t *p, const rgw_dir_conf_t *conf, const char **err)
{
    rgw_config_t *cfg;
    int i;

    if (rgw_config_create(&cfg) < 0) {
        *err = apr_pstrdup(p, rgw_last_error());
        return NULL;
    }
    for (i = 0; i < RGW_GATEWAY_OPTIONS; i++) {
        if (conf->option[i] && rgw_config_set(cfg, rgw_option_name(i), conf->option[i]) < 0) {
            *err = apr_psprintf(p, "%s: %s", rgw_option_directive(i), rgw_last_error());
            rgw_config_free(cfg);
            return NULL;
        }
    }
    return cfg;
}

/* A new entry for conf, sharing an owner's gateway when the core allows. */
static rgw_slot_t *add_slot(apr_pool_t *p, rgw_slot_t *list, const rgw_dir_conf_t *conf,
                            rgw_config_t *cfg, const char *where)
{
    rgw_slot_t *slot = apr_pcalloc(p, sizeof(*slot)), *other;
    int i;

    for (i = 0; i < RGW_GATEWAY_OPTIONS; i++) {
        slot->option[i] = conf->option[i];
    }
    slot->where = where;
    slot->next = list;
    for (other = list; other; other = other->next) {
        if (other->owner == other && rgw_config_same_gateway(other->config, cfg) == 1) {
            slot->owner = other;
            rgw_config_free(cfg);
            return slot;
        }
    }
    slot->owner = slot;
    slot->config = cfg;
    apr_pool_cleanup_register(p, cfg, free_config, apr_pool_cleanup_null);
    return slot;
}

/* Plans the gateway of one (merged) configuration; !OK refuses the config. */
/*
 * Plans the gateway of one configuration (a section merged onto its
 * server); !OK refuses the configuration.  A section without a store of its
 * own or its server's may still get one from an overlapping section (a
 * <Location /> above its <Location /a>): that is only known per request, so
 * it is refused only when no section of the server names a store at all.
 */
static int plan(apr_pool_t *pconf, server_rec *s, const rgw_dir_conf_t *conf, const char *section,
                int server_has_store)
{
    const char *err, *where;
    rgw_config_t *cfg;

    if (conf->enable != 1) {
        return OK;
    }
    where = apr_psprintf(pconf, "RGW On (%s)", conf->enabled_at);
    if (!conf->option[RGW_STORE] && server_has_store) {
        return OK;
    }
    if (!conf->option[RGW_STORE]) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, s, APLOGNO(10901)
                     "mod_rgw: %s needs RGWStore in the same or an enclosing section "
                     "(%s)", where, section);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (find_slot(slots, conf)) {
        return OK;
    }
    cfg = make_config(pconf, conf, &err);
    if (!cfg) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, s, APLOGNO(10902)
                     "mod_rgw: %s: %s", where, err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    slots = add_slot(pconf, slots, conf, cfg, where);
    return OK;
}

/* Each section of one kind (<Location>, <Directory>) merged onto base. */
/* Whether the server's defaults or one of its sections name a store. */
static int names_a_store(const rgw_dir_conf_t *base, apr_array_header_t **kinds, int nkinds)
{
    int k, i;

    if (base->option[RGW_STORE]) {
        return 1;
    }
    for (k = 0; k < nkinds; k++) {
        ap_conf_vector_t **sec = kinds[k] ? (ap_conf_vector_t **)kinds[k]->elts : NULL;

        for (i = 0; sec && i < kinds[k]->nelts; i++) {
            const rgw_dir_conf_t *conf = ap_get_module_config(sec[i], &rgw_module);

            if (conf && conf->option[RGW_STORE]) {
                return 1;
            }
        }
    }
    return 0;
}

static int plan_sections(apr_pool_t *pconf, server_rec *s, const rgw_dir_conf_t *base,
                         apr_array_header_t *sections, int server_has_store)
{
    ap_conf_vector_t **sec;
    const core_dir_config *core;
    int i, rc;

    if (!sections) {
        return OK;
    }
    sec = (ap_conf_vector_t **)sections->elts;
    for (i = 0; i < sections->nelts; i++) {
        const rgw_dir_conf_t *conf = ap_get_module_config(sec[i], &rgw_module);

        if (!conf) {
            continue;
        }
        core = ap_get_core_module_config(sec[i]);
        rc = plan(pconf, s, rgw_merge_dir_conf(pconf, (void *)base, (void *)conf),
                  apr_psprintf(pconf, "section %s", core && core->d ? core->d : "?"),
                  server_has_store);
        if (rc != OK) {
            return rc;
        }
    }
    return OK;
}

int rgw_plan_gateways(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    rgw_config_t *cfg;
    uint64_t size = 0;
    server_rec *vs;
    int rc;

    (void)plog;
    (void)ptemp;
    slots = NULL; /* the configuration is read twice at start, and on every restart */

    if (rgw_config_create(&cfg) < 0) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, s, APLOGNO(10903)
                     "mod_rgw: %s", rgw_last_error());
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rgw_config_get_uint(cfg, "buffer_size", &size);
    rgw_config_free(cfg);
    default_buffer_size = (apr_size_t)size;

    for (vs = s; vs; vs = vs->next) {
        const rgw_dir_conf_t *base = ap_get_module_config(vs->lookup_defaults, &rgw_module);
        core_server_config *core = ap_get_core_module_config(vs->module_config);

        apr_array_header_t *kinds[2] = {core->sec_url, core->sec_dir};
        int has_store = names_a_store(base, kinds, 2);

        rc = plan(pconf, vs, base,
                  apr_psprintf(pconf, "server %s:%u", vs->server_hostname ? vs->server_hostname : "",
                               vs->port),
                  has_store);
        if (rc == OK) {
            rc = plan_sections(pconf, vs, base, core->sec_url, has_store);
        }
        if (rc == OK) {
            rc = plan_sections(pconf, vs, base, core->sec_dir, has_store);
        }
        if (rc != OK) {
            return rc;
        }
    }
    return OK;
}

static apr_status_t close_gateways(void *data)
{
    rgw_slot_t *slot;

    (void)data;
    for (slot = slots; slot; slot = slot->next) {
        if (slot->owner == slot && slot->gateway) {
            rgw_gateway_close(slot->gateway);
            slot->gateway = NULL;
        }
    }
    return APR_SUCCESS;
}

/* Opens an owner's gateway; logs why not. */
static void open_slot(rgw_slot_t *slot, server_rec *s)
{
    if (rgw_gateway_open(slot->config, &slot->gateway) < 0) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, APLOGNO(10904)
                     "mod_rgw: the store %s (%s) cannot be opened in this child, "
                     "its requests answer 503: %s",
                     rgw_config_get(slot->config, "store"), slot->where, rgw_last_error());
        slot->gateway = NULL;
    }
}

void rgw_open_gateways(apr_pool_t *pchild, server_rec *s)
{
    rgw_slot_t *slot;

    child_pool = pchild;
    if (apr_thread_mutex_create(&slots_mutex, APR_THREAD_MUTEX_DEFAULT, pchild) != APR_SUCCESS) {
        slots_mutex = NULL;
    }
    for (slot = slots; slot; slot = slot->next) {
        if (slot->owner == slot) {
            open_slot(slot, s);
        }
    }
    apr_pool_cleanup_register(pchild, NULL, close_gateways, apr_pool_cleanup_null);
}

/* An entry for a combination of sections first met by a request. */
static rgw_slot_t *add_late_slot(request_rec *r, const rgw_dir_conf_t *conf)
{
    rgw_slot_t *head, *slot;
    rgw_config_t *cfg;
    const char *err;

    if (!slots_mutex || apr_thread_mutex_lock(slots_mutex) != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, APLOGNO(10908)
                      "mod_rgw: no gateway for RGW On (%s): the child's lock is missing",
                      conf->enabled_at);
        return NULL;
    }
    head = __atomic_load_n(&slots, __ATOMIC_ACQUIRE);
    slot = find_slot(head, conf);
    if (!slot) {
        cfg = make_config(r->pool, conf, &err);
        if (!cfg) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, APLOGNO(10905)
                          "mod_rgw: %s: %s", conf->enabled_at, err);
        } else {
            slot = add_slot(child_pool, head, conf, cfg,
                            apr_psprintf(child_pool, "RGW On (%s)", conf->enabled_at));
            if (slot->owner == slot) {
                open_slot(slot, r->server);
            }
            __atomic_store_n(&slots, slot, __ATOMIC_RELEASE);
        }
    }
    apr_thread_mutex_unlock(slots_mutex);
    return slot;
}

rgw_gateway_t *rgw_gateway_for(request_rec *r, const rgw_dir_conf_t *conf, int *status)
{
    rgw_slot_t *slot;

    if (!conf->option[RGW_STORE]) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, APLOGNO(10906)
                      "mod_rgw: RGW On (%s) without RGWStore", conf->enabled_at);
        *status = HTTP_INTERNAL_SERVER_ERROR;
        return NULL;
    }
    slot = find_slot(__atomic_load_n(&slots, __ATOMIC_ACQUIRE), conf);
    if (!slot) {
        slot = add_late_slot(r, conf);
        if (!slot) {
            *status = HTTP_INTERNAL_SERVER_ERROR;
            return NULL;
        }
    }
    if (!slot->owner->gateway) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, APLOGNO(10907)
                      "mod_rgw: the store %s is not open in this child (see the log at its start)",
                      conf->option[RGW_STORE]);
        *status = HTTP_SERVICE_UNAVAILABLE;
        return NULL;
    }
    return slot->owner->gateway;
}
