// store.cpp - behaviour shared by every driver.
#include "store.h"

#include <vector>

namespace rgw {

ObjectInfo Store::copy_object(const std::string& src_bucket, const std::string& src_key,
                              const std::string& dst_bucket, const std::string& dst_key,
                              const Attrs* replace_attrs) {
  auto reader = open_reader(src_bucket, src_key, 0, -1);
  const ObjectInfo src = reader->info();
  get_bucket(dst_bucket);  // fail early with NoSuchBucket
  auto writer = open_writer(dst_bucket, dst_key);
  std::vector<char> buf(1 << 20);
  for (;;) {
    size_t n = reader->read(buf.data(), buf.size());
    if (n == 0) break;
    writer->write(buf.data(), n);
  }
  // A multipart ETag ("...-N") is not the MD5 of the bytes: keep the MD5 the
  // writer computed, as S3 does for a copy.
  return writer->commit(replace_attrs ? *replace_attrs : src.attrs, src.delete_at);
}

}  // namespace rgw
