/*
 * mod_rgw: the handler.  One request, on the thread Apache gave it:
 *
 *   rgw_request_create(method, target as received) + every header
 *   rgw_request_start()        routes, authenticates, authorizes
 *   body: ap_get_brigade() -> rgw_request_body() ... rgw_request_body_end()
 *   response: status, headers, Content-Length, then the body, the first
 *             of these that applies:
 *             - a range of one of the local store's body files: one file
 *               bucket (sendfile or mmap, as EnableSendfile/EnableMMAP say)
 *             - the bytes the core read ahead (up to RGWBufferSize, or a
 *               whole RADOS body read with its head): sent from the core's
 *               memory, uncopied
 *             - the rest pulled with rgw_response_read(), one buffer per
 *               brigade, each flushed
 *
 * "Expect: 100-continue": Apache's HTTP input filter sends 100 Continue at
 * the first read of the body, and the body is read only after the core
 * accepted the request, so a refused signature never gets one.
 *
 * Memory is at most one buffer of RGWBufferSize per request beside what the
 * core holds, whatever the size of the object: each brigade of a pulled body
 * is flushed to the client before the next read.  The core evaluates ranges
 * and conditions at the store: Apache's BYTERANGE filter is removed, so it
 * neither re-slices a 206 nor makes multipart/byteranges of a 200 the core
 * chose to send whole.
 *
 * Lifetimes: the read-ahead bytes and the body file are the core's, valid
 * until rgw_request_free(), a cleanup of r->pool.  Apache destroys r->pool
 * when its EOR bucket is destroyed, which the core output filter does only
 * after every bucket before it was written, also when it set buckets aside
 * for later (the event MPM's write completion).  See send_response() for
 * the bucket types this asks for.
 */

#include "mod_rgw.h"

APLOG_USE_MODULE(rgw);

/* A body the core did not read may be drained for keep-alive up to this;
 * a longer one closes the connection instead. */
#define RGW_DRAIN_MAX (64 * 1024)

static apr_status_t free_request(void *data)
{
    rgw_request_free(data);
    return APR_SUCCESS;
}

static int add_header(void *data, const char *name, const char *value)
{
    return rgw_request_add_header(data, name, strlen(name), value, strlen(value)) >= 0;
}

/* The body: wants_body until the core says the response is ready. */
static int read_body(request_rec *r, rgw_request_t *req, apr_size_t chunk, int *done_early)
{
    apr_bucket_brigade *bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    apr_bucket *b;
    apr_status_t st;
    const char *data;
    apr_size_t len;
    int rc = RGW_REQUEST_WANTS_BODY, eos = 0;

    while (!eos) {
        st = ap_get_brigade(r->input_filters, bb, AP_MODE_READBYTES, APR_BLOCK_READ, chunk);
        if (st != APR_SUCCESS) {
            /* the client went away, timed out, or sent a bad chunk: nothing is stored */
            ap_log_rerror(APLOG_MARK, APLOG_INFO, st, r, APLOGNO(10910)
                          "mod_rgw: reading the request body failed");
            r->connection->keepalive = AP_CONN_CLOSE;
            apr_brigade_destroy(bb);
            return ap_map_http_request_error(st, HTTP_BAD_REQUEST);
        }
        for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb); b = APR_BUCKET_NEXT(b)) {
            if (APR_BUCKET_IS_EOS(b)) {
                eos = 1;
                break;
            }
            if (APR_BUCKET_IS_METADATA(b)) {
                continue;
            }
            st = apr_bucket_read(b, &data, &len, APR_BLOCK_READ);
            if (st != APR_SUCCESS) {
                r->connection->keepalive = AP_CONN_CLOSE;
                apr_brigade_destroy(bb);
                return HTTP_BAD_REQUEST;
            }
            if (len == 0) {
                continue;
            }
            rc = rgw_request_body(req, data, len);
            if (rc != RGW_REQUEST_WANTS_BODY) {
                break;
            }
        }
        apr_brigade_cleanup(bb);
        if (rc != RGW_REQUEST_WANTS_BODY) {
            break;
        }
    }
    apr_brigade_destroy(bb);

    if (rc == RGW_REQUEST_DONE) {
        *done_early = 1; /* refused mid-body: the rest is not read */
        return OK;
    }
    if (rc >= 0) {
        rc = rgw_request_body_end(req);
    }
    if (rc < 0) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, APLOGNO(10916)
                      "mod_rgw: the request body failed: %s", rgw_last_error());
        r->connection->keepalive = AP_CONN_CLOSE; /* what is left of the body is not read */
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

/*
 * A body the core answered without reading: drained if it is small (the
 * connection stays open), else the connection closes after the answer
 * (never a 100 Continue, never gigabytes read for nothing).
 */
static void leave_body(request_rec *r)
{
    const char *te = apr_table_get(r->headers_in, "Transfer-Encoding");
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    apr_off_t length = 0;
    char *end;

    if (!te && (!cl || (apr_strtoff(&length, cl, &end, 10) == APR_SUCCESS && *end == '\0'
                        && length == 0))) {
        return; /* no body */
    }
    if (!te && !r->expecting_100 && length > 0 && length <= RGW_DRAIN_MAX
        && ap_discard_request_body(r) == OK) {
        return;
    }
    r->connection->keepalive = AP_CONN_CLOSE;
}

static void set_headers(request_rec *r, rgw_request_t *req)
{
    size_t i, n = rgw_response_header_count(req);
    const char *name, *value;
    int64_t length;

    r->status = rgw_response_status(req);
    r->status_line = apr_psprintf(r->pool, "%d %s", r->status, rgw_response_reason(req));

    /* the core's strings live as long as the request, freed with r->pool */
    for (i = 0; i < n; i++) {
        if (rgw_response_header(req, i, &name, &value) < 0) {
            continue;
        }
        if (strcasecmp(name, "Content-Type") == 0) {
            ap_set_content_type(r, value);
        } else {
            apr_table_addn(r->headers_out, name, value);
        }
    }

    length = rgw_response_length(req);
    if (length >= 0) {
        ap_set_content_length(r, (apr_off_t)length);
    }
}

/*
 * Passes bb (then empties it); 0 while the client is there, -1 once it left
 * (rest: the body's bytes not handed to Apache yet, for the log).
 */
static int pass_body(request_rec *r, apr_bucket_brigade *bb, int64_t rest)
{
    apr_status_t st = ap_pass_brigade(r->output_filters, bb);

    apr_brigade_cleanup(bb);
    if (st != APR_SUCCESS || r->connection->aborted) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, st, r, APLOGNO(10912)
                      "mod_rgw: the client left with %" APR_INT64_T_FMT " bytes unsent", rest);
        r->connection->aborted = 1;
        return -1;
    }
    return 0;
}

/*
 * The whole body is length bytes of fd from offset, a body file of the local
 * store: one file bucket (several past 1 GiB), as httpd's default handler
 * sends a static file, so the core output filter sends it with sendfile
 * (EnableSendfile On), from mmap (EnableMMAP On, Apache's default) or read
 * in ReadBufferSize pieces; the admin's settings for the location apply.
 *
 * The descriptor is the core's, open until rgw_request_free(): the
 * apr_file_t made by apr_os_file_put() never closes it (APR marks it
 * APR_FOPEN_NOCLEANUP, also in the copy file_bucket_setaside() makes when
 * the core output filter sets the bucket aside), and the bucket is read only
 * before the request's EOR bucket is destroyed, hence before r->pool's
 * cleanup frees the request.  No FLUSH: under the event MPM the handler
 * returns while the core output filter sets the rest aside and writes it in
 * write completion, without holding the thread.  Body files are immutable
 * (never truncated, only unlinked), so the bytes sent are the object read,
 * even if it is overwritten or removed meanwhile, and a mapping of one
 * cannot fault.
 */
static int send_file(request_rec *r, apr_bucket_brigade *bb, int fd, int64_t offset,
                     int64_t length)
{
    core_dir_config *d = ap_get_core_module_config(r->per_dir_config);
    apr_os_file_t os_fd = fd;
    apr_file_t *file;
    apr_bucket *b;
    apr_status_t st;

    st = apr_os_file_put(&file, &os_fd,
                         APR_FOPEN_READ | APR_FOPEN_BINARY
                             | AP_SENDFILE_ENABLED(d->enable_sendfile),
                         r->pool);
    if (st != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, st, r, APLOGNO(10917)
                      "mod_rgw: cannot send the object's body file");
        apr_table_clear(r->headers_out);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    ap_log_rerror(APLOG_MARK, APLOG_TRACE2, 0, r,
                  "mod_rgw: body: %" APR_INT64_T_FMT " bytes of a file at %" APR_INT64_T_FMT,
                  length, offset);

    /* the buckets split from one share its settings */
    b = apr_brigade_insert_file(bb, file, (apr_off_t)offset, (apr_off_t)length, r->pool);
#if APR_HAS_MMAP
    if (d->enable_mmap == ENABLE_MMAP_OFF) {
        (void)apr_bucket_file_enable_mmap(b, 0);
    }
#endif
    if (d->read_buf_size) {
        (void)apr_bucket_file_set_buf_size(b, d->read_buf_size);
    }
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(r->connection->bucket_alloc));
    (void)pass_body(r, bb, length);
    return OK;
}

/*
 * The response: status and headers, then the body (see the top of the
 * file); returns OK once it is out.
 *
 * The bucket types, by who owns the bytes:
 * - read-ahead: a POOL bucket on r->pool, not a copy.  Written at once it is
 *   never copied; set aside, its setaside is a no-op; and should it still
 *   exist when r->pool is cleaned up, its own cleanup, registered after the
 *   request's (cleanups run last in, first out), copies the bytes to the
 *   heap before rgw_request_free() frees them.  An IMMORTAL bucket would
 *   rely on the EOR order alone, and a TRANSIENT one would be copied
 *   whenever the core output filter sets it aside (a small body under the
 *   event MPM, sent with EOS and no FLUSH).
 * - pulled buffers: TRANSIENT buckets of the one buffer, which is reused:
 *   each brigade ends with FLUSH (EOS after the last), so the core output
 *   filter writes them before ap_pass_brigade() returns.
 * - body file: a FILE bucket (send_file()).
 */
static int send_response(request_rec *r, rgw_request_t *req, apr_size_t buffer_size)
{
    conn_rec *c = r->connection;
    apr_bucket_brigade *bb = apr_brigade_create(r->pool, c->bucket_alloc);
    int64_t rest = rgw_response_length(req), n, file_offset;
    apr_size_t size;
    const void *ahead;
    char *buf = NULL;
    apr_status_t st;
    int fd;

    set_headers(r, req);

    if (r->header_only || rest <= 0) {
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(c->bucket_alloc));
        st = ap_pass_brigade(r->output_filters, bb);
        return st == APR_SUCCESS || c->aborted ? OK : AP_FILTER_ERROR;
    }

    if (rgw_response_file(req, &fd, &file_offset) == 0) {
        return send_file(r, bb, fd, file_offset, rest);
    }

    size = rgw_response_readahead(req, &ahead);
    if (size > 0) {
        if ((int64_t)size > rest) {
            size = (apr_size_t)rest;
        }
        rest -= (int64_t)size;
        ap_log_rerror(APLOG_MARK, APLOG_TRACE2, 0, r,
                      "mod_rgw: body: %" APR_SIZE_T_FMT " bytes read ahead, %" APR_INT64_T_FMT
                      " to read",
                      size, rest);
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_pool_create(ahead, size, r->pool, c->bucket_alloc));
        APR_BRIGADE_INSERT_TAIL(bb, rest > 0 ? apr_bucket_flush_create(c->bucket_alloc)
                                             : apr_bucket_eos_create(c->bucket_alloc));
        if (pass_body(r, bb, rest) < 0 || rest == 0) {
            return OK;
        }
    }

    if ((int64_t)buffer_size > rest) {
        buffer_size = (apr_size_t)rest; /* a small object needs a small buffer */
    }
    buf = apr_palloc(r->pool, buffer_size);
    while (rest > 0) {
        size = rest < (int64_t)buffer_size ? (apr_size_t)rest : buffer_size;
        n = rgw_response_read(req, buf, size);
        if (n <= 0) {
            /* the store failed mid-body (or the object ended early): the
             * client must see a cut, not a short object */
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, APLOGNO(10911)
                          "mod_rgw: reading the object failed with %" APR_INT64_T_FMT
                          " bytes left: %s", rest, rgw_last_error());
            if (!r->sent_bodyct && !r->bytes_sent) {
                apr_table_clear(r->headers_out);
                return HTTP_INTERNAL_SERVER_ERROR;
            }
            c->keepalive = AP_CONN_CLOSE;
            c->aborted = 1;
            return OK;
        }
        rest -= n;
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_transient_create(buf, (apr_size_t)n,
                                                                c->bucket_alloc));
        APR_BRIGADE_INSERT_TAIL(bb, rest > 0 ? apr_bucket_flush_create(c->bucket_alloc)
                                             : apr_bucket_eos_create(c->bucket_alloc));
        if (pass_body(r, bb, rest) < 0) {
            return OK;
        }
    }
    return OK;
}

/*
 * The request target as received ("/bucket/key?query", still encoded).  A
 * target in absolute form ("http://host/bucket/key", RFC 9112 3.2.2) is
 * taken from its path on, as a server must accept it.
 */
static const char *request_target(request_rec *r)
{
    const char *target = r->unparsed_uri, *path;

    if (target[0] == '/' || !r->parsed_uri.scheme) {
        return target;
    }
    path = strstr(target, "://");
    path = path ? strchr(path + 3, '/') : NULL;
    if (!path) {
        return r->parsed_uri.query ? apr_pstrcat(r->pool, "/?", r->parsed_uri.query, NULL) : "/";
    }
    return path;
}

int rgw_handler(request_rec *r)
{
    const rgw_dir_conf_t *conf;
    rgw_gateway_t *gw;
    rgw_request_t *req;
    const char *target;
    apr_size_t buffer_size;
    int rc, status, done_early = 0;

    if (!r->handler || strcmp(r->handler, RGW_HANDLER) != 0 || r->main) {
        return DECLINED;
    }
    conf = ap_get_module_config(r->per_dir_config, &rgw_module);
    if (conf->enable != 1) {
        return DECLINED;
    }
    gw = rgw_gateway_for(r, conf, &status);
    if (!gw) {
        return status;
    }
    buffer_size = conf->buffer_size ? conf->buffer_size : rgw_default_buffer_size();

    /* the method and the request target exactly as received */
    target = request_target(r);
    if (rgw_request_create(gw, r->method, target, &req) < 0) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, APLOGNO(10913)
                      "mod_rgw: cannot create a request: %s", rgw_last_error());
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_cleanup_register(r->pool, req, free_request, apr_pool_cleanup_null);

    /* the first buffer of the body is read with the response, on the same
     * call; a body the store holds in memory (RADOS: read with the head)
     * comes whole, uncopied; a body that is a range of one of the local
     * store's files comes as that file, for sendfile (send_response) */
    (void)rgw_request_set_readahead(req, buffer_size);
    (void)rgw_request_allow_memory(req, 1);
    (void)rgw_request_allow_file(req, 1);

    if (!apr_table_do(add_header, req, r->headers_in, NULL)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, APLOGNO(10914)
                      "mod_rgw: cannot add a header: %s", rgw_last_error());
        return HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the client's address (mod_remoteip's, when it is loaded), for the
     * core's IP conditions */
    if (r->useragent_ip) {
        (void)rgw_request_set_remote_addr(req, r->useragent_ip);
    }

    /* the core slices ranges at the store and evaluates conditions itself */
    ap_remove_output_filter_byhandle(r->output_filters, "BYTERANGE");

    rc = rgw_request_start(req);
    if (rc == RGW_REQUEST_WANTS_BODY) {
        rc = read_body(r, req, buffer_size, &done_early);
        if (rc != OK) {
            return rc;
        }
        if (done_early) {
            r->connection->keepalive = AP_CONN_CLOSE;
        }
    } else if (rc == RGW_REQUEST_DONE) {
        leave_body(r);
    } else {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, APLOGNO(10915)
                      "mod_rgw: the request failed: %s", rgw_last_error());
        return HTTP_INTERNAL_SERVER_ERROR;
    }

    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r, "mod_rgw: %s %s: %d (request id %s)",
                  r->method, target, rgw_response_status(req), rgw_request_id(req));
    return send_response(r, req, buffer_size);
}
