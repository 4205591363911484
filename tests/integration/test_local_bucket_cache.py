"""The local driver caches bucket records per process; a change made by
another process (another nginx worker, the admin CLI) is seen by the next
lookup, because every bucket change bumps the store's shared bucket epoch."""
import pytest
from store_worker import other_process

import pyrgw
from pyrgw import errors


@pytest.fixture
def store(tmp_path):
    uri = "local:" + str(tmp_path / "store")
    with pyrgw.Store(uri) as s:
        s.create_user("alice", access_key="AK1", secret_key="SK1")
        s.create_user("bob", access_key="AK2", secret_key="SK2")
        s.create_bucket("cached", owner="alice", acl="public-read")
        s.put_object("cached", "k", b"v1")
        yield uri, s


def test_acl_change_in_another_process_is_seen(store):
    uri, s = store
    assert s.get_bucket("cached").acl == "public-read"   # now cached here
    assert s.stat_object("cached", "k").size == 2
    other_process(uri, "b = s.get_bucket('cached'); b.acl = 'private'; s.update_bucket(b)")
    assert s.get_bucket("cached").acl == "private"


def test_bucket_removed_and_recreated_elsewhere_is_a_new_bucket(store):
    uri, s = store
    old_id = s.get_bucket("cached").id
    assert s.stat_object("cached", "k").size == 2
    other_process(uri, "s.delete_object('cached', 'k'); s.remove_bucket('cached'); "
                       "s.create_bucket('cached', owner='bob')")
    b = s.get_bucket("cached")
    assert b.id != old_id and b.owner == "bob"
    # The old bucket's object is not found through a stale bucket id.
    with pytest.raises(errors.NoSuchKey):
        s.stat_object("cached", "k")


def test_removed_bucket_is_gone(store):
    uri, s = store
    s.get_bucket("cached")
    other_process(uri, "s.delete_object('cached', 'k'); s.remove_bucket('cached')")
    with pytest.raises(errors.NoSuchBucket):
        s.get_bucket("cached")
    with pytest.raises(errors.NoSuchBucket):
        s.stat_object("cached", "k")
