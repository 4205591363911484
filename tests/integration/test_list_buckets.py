"""list_buckets(owner): every bucket of the owner, current, whatever another
store did to them.  On RADOS, records the bucket cache holds are used as they
are (the cache is coherent) and the others are read in parallel batches."""
import pytest

import pyrgw


def make_buckets(store, store_setup, owner, n):
    names = sorted(store_setup.name(f"lb{i:03d}") for i in range(n))
    for name in names:
        store.create_bucket(name, owner=owner)
    return names


def test_list_buckets_is_current(store, store_setup, owner):
    other = store_setup.name("lbother")
    store.create_user(other)
    store.create_bucket(store_setup.name("lbx"), owner=other)
    names = make_buckets(store, store_setup, owner, 70)  # more than a batch of reads
    assert [b.name for b in store.list_buckets(owner)] == names
    for name in names[::2]:
        store.get_bucket(name)  # half of them cached here
    with pyrgw.Store(store_setup.uri) as second:
        # Changed and removed through another store (another RADOS client).
        for name in names[:4]:
            b = second.get_bucket(name)
            b.acl = "public-read"
            b.attrs = {"big": "x" * 100_000}  # a record larger than a first read
            second.update_bucket(b)
        second.remove_bucket(names[4])
        second.remove_bucket(names[5])
        listed = store.list_buckets(owner)
        assert [b.name for b in listed] == names[:4] + names[6:]
        for b in listed:
            assert b.owner == owner
            changed = b.name in names[:4]
            assert b.acl == ("public-read" if changed else "private")
            assert b.attrs == ({"big": "x" * 100_000} if changed else {})
            assert b.id == second.get_bucket(b.name).id
    assert store_setup.name("lbx") in [b.name for b in store.list_buckets()]
    assert [b.name for b in store.list_buckets(other)] == [store_setup.name("lbx")]


@pytest.mark.parametrize("store_setup", ["rados"], indirect=True)
def test_cached_buckets_cost_no_reads(store, store_setup, owner, ceph_cluster):
    names = make_buckets(store, store_setup, owner, 40)
    for name in names:
        store.get_bucket(name)
    before = ceph_cluster.osd_ops()
    for _ in range(10):
        assert [b.name for b in store.list_buckets(owner)] == names
    # One omap read per listing (meta/buckets); 410 ops without the cache.
    assert ceph_cluster.osd_ops() - before < 40
