// librados_util.cpp - the single-op librados helpers of the RADOS driver
// (librados_util.h).
#include "rados/librados_util.h"

namespace rgw::rados {

int operate_write(rados_write_op_t op, rados_ioctx_t io, const std::string& oid) {
  if (!can_suspend()) return rados_write_op_operate(op, io, oid.c_str(), nullptr, 0);
  Completion c;
  int r = rados_aio_write_op_operate(op, io, c.c, oid.c_str(), nullptr, 0);
  if (r < 0) {
    c.submitted = false;
    return r;
  }
  return c.wait();
}

rados_ioctx_t open_pool(rados_t cluster, const std::string& pool) {
  int64_t id = rados_pool_lookup(cluster, pool.c_str());
  if (id == -ENOENT) {
    int r = rados_pool_create(cluster, pool.c_str());
    if (r < 0 && r != -EEXIST) rados_fail(r, "create pool " + pool);
  } else if (id < 0) {
    rados_fail(static_cast<int>(id), "look up pool " + pool);
  }
  rados_ioctx_t io = nullptr;
  int r = rados_ioctx_create(cluster, pool.c_str(), &io);
  if (r < 0) rados_fail(r, "open pool " + pool);
  // Tag the pool (silences a health warning), once: enabling is a mon
  // command (~1 s), listing reads the local osdmap.  Best effort.
  char apps[256];
  size_t apps_len = sizeof apps;
  if (rados_application_list(io, apps, &apps_len) == 0 && apps_len == 0)
    rados_application_enable(io, "librgw", 0);
  return io;
}

int read_obj(rados_ioctx_t io, const std::string& oid, std::string* data, Xattrs* xattrs) {
  size_t hint = kMetaRead;
  for (int attempt = 0; attempt < 4; ++attempt) {
    ReadOp op;
    XattrIter xi;
    uint64_t size = 0;
    time_t mtime = 0;
    int stat_rv = 0, read_rv = 0, xrv = 0;
    size_t n = 0;
    std::string buf;
    if (data) {
      buf.resize(hint);
      rados_read_op_stat(op.op, &size, &mtime, &stat_rv);
      rados_read_op_read(op.op, 0, hint, &buf[0], &n, &read_rv);
    }
    if (xattrs) rados_read_op_getxattrs(op.op, &xi.it, &xrv);
    int r = rados_read_op_operate(op.op, io, oid.c_str(), 0);
    if (r < 0) return r;
    if (stat_rv < 0) return stat_rv;
    if (read_rv < 0) return read_rv;
    if (xrv < 0) return xrv;
    if (data) {
      if (size > n && n == hint) {
        hint = static_cast<size_t>(size);
        continue;
      }
      buf.resize(n);
      *data = std::move(buf);
    }
    if (xattrs) {
      xattrs->clear();
      xi.drain(*xattrs);
    }
    return 0;
  }
  return -EAGAIN;
}

int create_excl(rados_ioctx_t io, const std::string& oid, const std::string& data) {
  WriteOp op;
  rados_write_op_create(op.op, LIBRADOS_CREATE_EXCLUSIVE, nullptr);
  rados_write_op_write_full(op.op, data.data(), data.size());
  return rados_write_op_operate(op.op, io, oid.c_str(), nullptr, 0);
}

int replace_guarded(rados_ioctx_t io, const std::string& oid, const std::string& old,
                    const std::string& next) {
  WriteOp op;
  int cmp_rv = 0;
  rados_write_op_assert_exists(op.op);
  rados_write_op_cmpext(op.op, old.data(), old.size(), 0, &cmp_rv);
  rados_write_op_write_full(op.op, next.data(), next.size());
  return rados_write_op_operate(op.op, io, oid.c_str(), nullptr, 0);
}

int omap_page(rados_ioctx_t io, const std::string& oid, const std::string& start_after,
              const std::string& prefix, uint64_t max, std::vector<KV>& out, bool& more) {
  ReadOp op;
  OmapIter it;
  unsigned char pmore = 0;
  int rv = 0;
  rados_read_op_omap_get_vals2(op.op, start_after.c_str(), prefix.c_str(), max, &it.it, &pmore,
                               &rv);
  int r = rados_read_op_operate(op.op, io, oid.c_str(), 0);
  if (r < 0) return r;
  if (rv < 0) return rv;
  out.clear();
  it.drain(out);
  more = pmore != 0;
  return 0;
}

void omap_rm_in(rados_write_op_t op, const std::string& k) {
  const char* keys[] = {k.data()};
  size_t klens[] = {k.size()};
  rados_write_op_omap_rm_keys2(op, keys, klens, 1);
}

void omap_set_one_in(rados_write_op_t op, const std::string& k, const std::string& v) {
  const char* keys[] = {k.data()};
  const char* vals[] = {v.data()};
  size_t klens[] = {k.size()};
  size_t vlens[] = {v.size()};
  rados_write_op_omap_set2(op, keys, vals, klens, vlens, 1);
}

void omap_set_in(WriteOp& op, const std::vector<KV>& kvs) {
  std::vector<const char*> kp, vp;
  std::vector<size_t> kl, vl;
  for (const auto& [k, v] : kvs) {
    kp.push_back(k.data());
    kl.push_back(k.size());
    vp.push_back(v.data());
    vl.push_back(v.size());
  }
  rados_write_op_omap_set2(op.op, kp.data(), vp.data(), kl.data(), vl.data(), kp.size());
}

int omap_rm(rados_ioctx_t io, const std::string& oid, const std::string& k) {
  WriteOp op;
  omap_rm_in(op, k);
  return operate_write(op.op, io, oid);
}

int omap_rm_exact(rados_ioctx_t io, const std::string& oid, const std::string& key,
                  const std::string& value, const std::string* pending) {
  WriteOp op;
  int cmp_rv = 0;
  rados_write_op_omap_cmp2(op.op, key.data(), LIBRADOS_CMPXATTR_OP_EQ, value.data(), key.size(),
                           value.size(), &cmp_rv);
  omap_rm_in(op, key);
  if (pending) omap_rm_in(op, *pending);
  return rados_write_op_operate(op.op, io, oid.c_str(), nullptr, 0);
}

}  // namespace rgw::rados
