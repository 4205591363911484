// rados_store.cpp - the RADOS driver's construction: connecting to the
// cluster and opening the pools, closing, the omap helpers that name the pool
// in their errors, and open_rados_store().  How the driver lays data out and
// keeps it consistent: rados/rados_store.h.
#include "rados/rados_store.h"

#include <cerrno>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "errors.h"

namespace rgw::rados {

RadosStore::RadosStore(const std::string& prefix, const std::string& conf_path,
                       const std::string& client_name, int timeout)
    : prefix_(prefix) {
  std::string name = client_name.empty() ? "admin" : client_name;
  if (name.compare(0, 7, "client.") != 0) name = "client." + name;
  int r = rados_create2(&cluster_, "ceph", name.c_str(), 0);
  if (r < 0) rados_fail(r, "rados_create2 " + name);
  try {
    r = rados_conf_read_file(cluster_, conf_path.empty() ? nullptr : conf_path.c_str());
    if (r < 0) rados_fail(r, "read Ceph config " + (conf_path.empty() ? "(default)" : conf_path));
    if (timeout > 0) {
      std::string t = std::to_string(timeout);
      for (const char* opt :
           {"rados_osd_op_timeout", "rados_mon_op_timeout", "client_mount_timeout"}) {
        r = rados_conf_set(cluster_, opt, t.c_str());
        if (r < 0) rados_fail(r, std::string("rados_conf_set ") + opt);
      }
    }
    r = rados_connect(cluster_);
    if (r < 0) rados_fail(r, "connect to the Ceph cluster as " + name);
    meta_ = open_pool(cluster_, prefix_ + ".meta");
    index_ = open_pool(cluster_, prefix_ + ".index");
    index_batch_ = std::make_unique<rados::IndexBatcher>(index_);
    data_ = open_pool(cluster_, prefix_ + ".data");
    buckets_ = std::make_unique<rados::BucketCache>(
        meta_, [this](const std::string& n, BucketInfo* b) { return load_bucket(n, b); });
    users_ = std::make_unique<rados::UserCache>(meta_);
  } catch (...) {
    close();
    throw;
  }
}

RadosStore::~RadosStore() { close(); }

void RadosStore::close() noexcept {
  // Detached entries' outcomes use the store: settled before it goes.
  if (index_batch_) index_batch_->quiesce();
  index_batch_.reset();  // waits for its ops in flight
  buckets_.reset();      // unwatches: needs the connection
  users_.reset();
  if (data_) rados_ioctx_destroy(data_);
  if (index_) rados_ioctx_destroy(index_);
  if (meta_) rados_ioctx_destroy(meta_);
  data_ = index_ = meta_ = nullptr;
  if (cluster_) rados_shutdown(cluster_);
  cluster_ = nullptr;
}

std::string RadosStore::pool_name(rados_ioctx_t io) const {
  if (io == meta_) return prefix_ + ".meta";
  if (io == index_) return prefix_ + ".index";
  return prefix_ + ".data";
}

void RadosStore::omap_set_or_fail(rados_ioctx_t io, const std::string& oid, const std::string& k,
                                  const std::string& v) {
  WriteOp op;
  omap_set_one_in(op.op, k, v);
  int r = operate_write(op.op, io, oid);
  if (r < 0) rados_fail(r, "omap set " + pool_name(io) + "/" + oid);
}

void RadosStore::omap_rm_or_fail(rados_ioctx_t io, const std::string& oid, const std::string& k) {
  int r = omap_rm(io, oid, k);
  if (r < 0 && r != -ENOENT) rados_fail(r, "omap rm " + pool_name(io) + "/" + oid);
}

// The values of some omap keys (missing keys are absent from the result).
std::map<std::string, std::string> RadosStore::omap_get(rados_ioctx_t io, const std::string& oid,
                                                        const std::vector<std::string>& keys) {
  std::vector<const char*> kp;
  std::vector<size_t> kl;
  for (const auto& k : keys) {
    kp.push_back(k.data());
    kl.push_back(k.size());
  }
  ReadOp op;
  OmapIter it;
  int rv = 0;
  rados_read_op_omap_get_vals_by_keys2(op.op, kp.data(), kp.size(), kl.data(), &it.it, &rv);
  int r = rados_read_op_operate(op.op, io, oid.c_str(), 0);
  if (r == 0) r = rv;
  if (r < 0) rados_fail(r, "omap get " + pool_name(io) + "/" + oid);
  std::vector<KV> kvs;
  it.drain(kvs);
  return std::map<std::string, std::string>(kvs.begin(), kvs.end());
}

}  // namespace rgw::rados

namespace rgw {

std::unique_ptr<Store> open_rados_store(const std::string& pool_prefix,
                                        const std::string& conf_path,
                                        const std::string& client_name, int op_timeout_seconds) {
  if (pool_prefix.empty()) fail(RGW_ERR_INVALID_URI, "rados store needs a pool prefix");
  return std::make_unique<rados::RadosStore>(pool_prefix, conf_path, client_name,
                                             op_timeout_seconds);
}

}  // namespace rgw
