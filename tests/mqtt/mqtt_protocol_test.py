"""MQTT front door, protocol side: the real clasp-relay driven by paho-mqtt
(Debian python3-paho-mqtt, v3.1.1 and v5) and by hand-made packets for what
no client library would send. Covers CONNECT/CONNACK, clean session and
session expiry, keep-alive, wills, QoS 0/1/2 flows, SUBSCRIBE/UNSUBSCRIBE,
retained state, filters, takeover, malformed/oversized/out-of-order packets
(router.md §9 with its Fixes, DECISIONS D-28). Cross-protocol checks with the
official CLASP client are in tests/interop/mqtt-bridge.test.mjs.

Waiting is always on an event with a timeout; "nothing arrives" is shown by
a later barrier message arriving first.
"""

import itertools
import os
import queue
import socket
import struct
import tempfile
import threading
import unittest

from paho.mqtt.properties import Properties
from paho.mqtt.packettypes import PacketTypes

from relay import WAIT, Client, Raw, Relay, connect_packet, mstr, packet, varint

_ids = itertools.count()


def unique(prefix):
    return f"{prefix}{next(_ids)}"


class MqttTestCase(unittest.TestCase):
    relay_args = ()

    @classmethod
    def setUpClass(cls):
        cls.relay = Relay(*cls.relay_args)

    @classmethod
    def tearDownClass(cls):
        cls.relay.stop()

    def setUp(self):
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            try:
                c.close()
            except Exception:
                pass
        self.assertTrue(self.relay.alive(), "the relay died")

    def client(self, **kw):
        c = Client(self.relay, **kw)
        self.clients.append(c)
        return c

    def assert_nothing_before_barrier(self, sub, pub, barrier):
        pub.publish(barrier, "barrier", qos=1)
        m = sub.next_message()
        self.assertEqual(m.topic, barrier, f"unexpected message on {m.topic}: {m.payload!r}")

    def assert_disconnect(self, raw, code):
        """A v5 DISCONNECT with this reason code, then the close."""
        got = raw.read_packet()
        self.assertIsNotNone(got, "closed without DISCONNECT")
        first, body = got
        self.assertEqual(first, 0xE0)
        self.assertEqual(body[0], code)
        self.assertTrue(raw.closed())

    def raw_connected(self, client_id=None, level=4, **kw):
        r = Raw(self.relay)
        r.send(connect_packet(client_id or unique("raw"), level=level, **kw))
        first, body = r.read_packet()
        self.assertEqual(first, 0x20)
        self.assertEqual(body[1], 0, "CONNACK refused")
        return r


class Flows(MqttTestCase):
    def test_qos0_publish_reaches_subscriber(self):
        t = unique("flow/a")
        sub = self.client()
        self.assertEqual(sub.subscribe(t + "/+"), [0])
        pub = self.client()
        pub.publish(t + "/x", "hello")
        m = sub.next_message()
        self.assertEqual((m.topic, m.payload, m.qos, m.retain), (t + "/x", b"hello", 0, False))

    def test_qos1_both_directions(self):
        t = unique("flow/q1")
        sub = self.client()
        self.assertEqual(sub.subscribe(t, qos=1), [1])
        pub = self.client()
        pub.publish(t, "one", qos=1)  # asserts the PUBACK
        m = sub.next_message()
        self.assertEqual((m.payload, m.qos), (b"one", 1))

    def test_qos2_inbound_completes_and_grant_is_at_most_1(self):
        t = unique("flow/q2")
        sub = self.client(v5=True)
        self.assertEqual(sub.subscribe(t, qos=2), [1])  # D-28: min(requested, 1)
        pub = self.client(v5=True)
        pub.publish(t, "two", qos=2)  # PUBREC, PUBREL, PUBCOMP all happened
        m = sub.next_message()
        self.assertEqual((m.payload, m.qos), (b"two", 1))
        self.assert_nothing_before_barrier(sub, pub, t)  # exactly once

    def test_qos2_resent_publish_is_applied_once(self):
        t = unique("flow/q2dup")
        sub = self.client(v5=True)
        sub.subscribe(t, qos=1)
        r = self.raw_connected(level=5)
        pub_body = mstr(t) + struct.pack(">H", 7) + varint(0) + b"once"
        r.send(packet(0x34, pub_body))
        first, body = r.read_packet()
        self.assertEqual((first, body[:2]), (0x50, struct.pack(">H", 7)))  # PUBREC
        self.assertIn(body[2:3], (b"", b"\x00"))  # Success (may be left out)
        r.send(packet(0x3C, pub_body))  # the same message again, DUP set
        self.assertEqual(r.read_packet()[0], 0x50)
        r.send(packet(0x62, struct.pack(">H", 7)))  # PUBREL
        self.assertEqual(r.read_packet()[0], 0x70)  # PUBCOMP
        r.send(packet(0x62, struct.pack(">H", 7)))  # PUBREL for an id already released
        first, body = r.read_packet()
        self.assertEqual((first, body[2]), (0x70, 0x92))  # Packet Identifier not found
        self.assertEqual(sub.next_message().payload, b"once")
        self.assert_nothing_before_barrier(sub, self.client(), t)
        r.close()

    def test_ping(self):
        r = self.raw_connected()
        r.send(b"\xc0\x00")
        self.assertEqual(r.read_packet(), (0xD0, b""))
        r.close()

    def test_a_subscribed_publisher_gets_its_own_messages(self):
        t = unique("flow/own")
        me = self.client()
        me.subscribe(t + "/#", qos=1)
        me.publish(t + "/event", "e", qos=1)
        me.publish(t + "/param", "p", qos=1, retain=True)
        got = {me.next_message().topic: 1, me.next_message().topic: 1}
        self.assertEqual(set(got), {t + "/event", t + "/param"})

    def test_v5_no_local(self):
        t = unique("flow/nolocal")
        me = self.client(v5=True)
        me.subscribe(t, qos=1, noLocal=True)
        me.publish(t, "mine", qos=1)
        other = self.client()
        other.publish(t, "theirs", qos=1)
        self.assertEqual(me.next_message().payload, b"theirs")


class Retained(MqttTestCase):
    def test_retained_publish_is_state_sent_with_retain_flag(self):
        t = unique("ret/a")
        pub = self.client()
        pub.publish(t + "/temp", "42", qos=1, retain=True)
        late = self.client()
        late.subscribe(t + "/#", qos=1)
        m = late.next_message()
        self.assertEqual((m.topic, m.payload, m.retain), (t + "/temp", b"42", True))

    def test_live_delivery_has_retain_0(self):
        t = unique("ret/live")
        sub = self.client()
        sub.subscribe(t)
        self.client().publish(t, "7", qos=1, retain=True)
        self.assertFalse(sub.next_message().retain)

    def test_non_retained_is_an_event_not_stored(self):
        t = unique("ret/event")
        pub = self.client()
        pub.publish(t, "gone", qos=1)
        late = self.client()
        late.subscribe(t)
        late.subscribe(t + "/barrier")
        self.assert_nothing_before_barrier(late, pub, t + "/barrier")

    def test_empty_retained_payload_deletes(self):
        t = unique("ret/del")
        pub = self.client()
        pub.publish(t, "1", qos=1, retain=True)
        pub.publish(t, "", qos=1, retain=True)
        late = self.client()
        late.subscribe(t)
        late.subscribe(t + "/barrier")
        self.assert_nothing_before_barrier(late, pub, t + "/barrier")

    def test_v5_retain_handling_2_sends_no_state(self):
        t = unique("ret/rh")
        pub = self.client()
        pub.publish(t, "x", qos=1, retain=True)
        late = self.client(v5=True)
        late.subscribe(t, qos=1, retainHandling=2)
        late.subscribe(t + "/barrier", qos=1)
        self.assert_nothing_before_barrier(late, pub, t + "/barrier")

    def test_payload_values_round_trip_as_r9_5(self):
        t = unique("ret/val")
        pub = self.client()
        cases = [("1.0", b"1"), ("42", b"42"), ("NaN", b"NaN"), ("true", b"true"), ("text", b"text"),
                 ('{"a": [1, 2.5]}', b'{"a":[1,2.5]}'), ("1e3", b"1000"), ("", b"")]
        for i, (sent, _) in enumerate(cases):
            pub.publish(f"{t}/{i}", sent, qos=1)
        for i, (sent, _) in enumerate(cases):
            pub.publish(f"{t}/{i}", sent, qos=1, retain=(sent != ""))
        late = self.client()
        late.subscribe(t + "/+")
        got = {}
        for _ in range(len(cases) - 1):  # the empty retained one deleted nothing; it was never stored
            m = late.next_message()
            got[m.topic] = m.payload
        for i, (sent, want) in enumerate(cases[:-1]):
            self.assertEqual(got.get(f"{t}/{i}"), want, f"payload {sent!r}")


class Subscriptions(MqttTestCase):
    def test_unsubscribe_really_removes(self):
        t = unique("sub/u")
        sub = self.client(v5=True)
        sub.subscribe(t + "/#")
        sub.subscribe(t + "barrier")
        self.assertEqual(sub.unsubscribe(t + "/#"), [0])
        self.assertEqual(sub.unsubscribe(t + "/#"), [0x11])  # No subscription existed
        pub = self.client()
        pub.publish(t + "/x", "after", qos=1)
        self.assert_nothing_before_barrier(sub, pub, t + "barrier")

    def test_hash_matches_parent_and_dollar_topics_are_apart(self):
        t = unique("sub/w")
        sub = self.client()
        sub.subscribe(t + "/#")
        sub.subscribe("#")
        dollar = self.client()
        dollar.subscribe("$" + t + "/#")
        pub = self.client()
        pub.publish(t, "parent", qos=1)
        # Overlapping subscriptions: one copy at the highest QoS (MQTT 5.0 §4.8.2).
        self.assertEqual(sub.next_message().topic, t)
        pub.publish("$" + t + "/x", "sys", qos=1)
        self.assertEqual(dollar.next_message().topic, "$" + t + "/x")
        sub.subscribe(t + "barrier")
        self.assert_nothing_before_barrier(sub, pub, t + "barrier")

    def test_shared_subscription_refused(self):
        sub = self.client(v5=True)
        self.assertEqual(sub.subscribe("$share/g/" + unique("sub/s")), [0x9E])

    def test_invalid_filter_mapping_is_refused_per_entry(self):
        sub = self.client(v5=True)
        # A literal '*' level cannot become a CLASP pattern level of its own meaning.
        self.assertEqual(sub.subscribe("a//b"), [0x8F])


class Sessions(MqttTestCase):
    def test_takeover_disconnects_the_older_connection(self):
        cid = unique("dup")
        a = self.raw_connected(cid, level=5)
        b = self.client(client_id=cid, v5=True)
        self.assert_disconnect(a, 0x8E)  # Session taken over
        t = unique("sess/t")
        b.subscribe(t)
        self.client().publish(t, "to b", qos=1)
        self.assertEqual(b.next_message().payload, b"to b")

    def test_v311_persistent_session_queues_qos1(self):
        cid = unique("keep")
        t = unique("sess/q")
        a = self.client(client_id=cid, clean=False)
        a.subscribe(t, qos=1)
        a.close()
        self.client().publish(t, "while away", qos=1)
        again = self.client(client_id=cid, clean=False)
        self.assertEqual(again.connack_flags["session present"], 1)
        m = again.next_message()
        self.assertEqual((m.topic, m.payload, m.qos), (t, b"while away", 1))

    def test_offline_queue_holds_1000_messages(self):
        cid = unique("q1000")
        t = unique("sess/q1000")
        a = self.client(client_id=cid, clean=False)
        a.subscribe(t, qos=1)
        a.close()
        pub = self.client()
        for i in range(1005):
            pub.publish(t, str(i), qos=1, wait=False)
        pub.publish(t, "sent", qos=1)  # PUBACKed in order: all 1006 are handled
        again = self.client(client_id=cid, clean=False)
        got = [again.next_message().payload for _ in range(1000)]
        self.assertEqual(got, [str(i).encode() for i in range(1000)])
        pub.publish(t, "after", qos=1)
        self.assertEqual(again.next_message().payload, b"after")  # 1000..1004 and "sent" were dropped

    def test_clean_session_starts_empty(self):
        cid = unique("clean")
        t = unique("sess/c")
        a = self.client(client_id=cid, clean=False)
        a.subscribe(t, qos=1)
        a.close()
        fresh = self.client(client_id=cid, clean=True)
        self.assertEqual(fresh.connack_flags["session present"], 0)
        fresh.subscribe(t + "barrier")
        pub = self.client()
        pub.publish(t, "old subscription", qos=1)
        self.assert_nothing_before_barrier(fresh, pub, t + "barrier")

    def test_v5_session_expiry(self):
        cid = unique("exp")
        t = unique("sess/e")
        a = self.client(client_id=cid, v5=True, clean=True, expiry=300)
        a.subscribe(t, qos=1)
        a.close()
        self.client().publish(t, "kept", qos=1)
        b = self.client(client_id=cid, v5=True, clean=False, expiry=0)
        self.assertEqual(b.connack_flags["session present"], 1)
        self.assertEqual(b.next_message().payload, b"kept")
        b.close()
        c = self.client(client_id=cid, v5=True, clean=False)
        self.assertEqual(c.connack_flags["session present"], 0)  # expiry 0 ended it at disconnect

    def test_will_on_abrupt_close(self):
        t = unique("will/t")
        watcher = self.client()
        watcher.subscribe(t)
        r = Raw(self.relay)
        flags = 0x02 | 0x04  # clean session, will flag, will QoS 0
        body = mstr("MQTT") + bytes([4, flags]) + struct.pack(">H", 60) + mstr(unique("w")) + mstr(t) + mstr("gone")
        r.send(packet(0x10, body))
        self.assertEqual(r.read_packet()[0], 0x20)
        r.close()
        self.assertEqual(watcher.next_message().payload, b"gone")

    def test_no_will_after_normal_disconnect(self):
        t = unique("will/n")
        watcher = self.client()
        watcher.subscribe(t)
        watcher.subscribe(t + "barrier")
        c = self.client(will=(t, "should not", 0, False))
        c.close()
        self.assertEqual(c.disconnects.get(timeout=WAIT), 0)
        self.assert_nothing_before_barrier(watcher, self.client(), t + "barrier")

    def test_keepalive_is_enforced(self):
        r = Raw(self.relay)
        r.send(connect_packet(unique("ka"), keepalive=1))
        self.assertEqual(r.read_packet()[0], 0x20)
        # 1.5 x keep-alive, checked once a second: closed well inside WAIT.
        self.assertTrue(r.closed())

    def test_connack_v5_properties(self):
        c = self.client(v5=True)
        props = c.connack_props
        self.assertEqual(props.MaximumPacketSize, 65536)
        self.assertEqual(props.SubscriptionIdentifierAvailable, 0)
        self.assertEqual(props.SharedSubscriptionAvailable, 0)
        self.assertTrue(props.AssignedClientIdentifier)


class BadInput(MqttTestCase):
    relay_args = ("--max-message-size", "1024")

    def bystander_works(self):
        t = unique("bystander")
        sub = self.client()
        sub.subscribe(t)
        self.client().publish(t, "alive", qos=1)
        self.assertEqual(sub.next_message().payload, b"alive")

    def test_first_packet_not_connect_is_closed(self):
        r = Raw(self.relay)
        r.send(packet(0x30, mstr("a") + b"x"))
        self.assertIsNone(r.read_packet())
        self.bystander_works()

    def test_unsupported_versions_get_return_code_1(self):
        for name, level in (("MQIsdp", 3), ("MQTT", 3), ("MQTT", 6)):
            r = Raw(self.relay)
            r.send(connect_packet("v", level=level, name=name))
            self.assertEqual(r.read_packet(), (0x20, b"\x00\x01"), f"{name} level {level}")
            self.assertTrue(r.closed())
        self.bystander_works()

    def test_malformed_packets_close_with_reason(self):
        cases = {
            "reserved type 0": b"\x00\x00",
            "remaining length over 4 bytes": b"\x30\xff\xff\xff\xff\x01",
            "SUBSCRIBE with wrong flags": packet(0x80, struct.pack(">H", 1) + b"\x00" + mstr("a") + b"\x00"),
            "PUBLISH with QoS 3": packet(0x36, mstr("a") + struct.pack(">H", 1) + b"\x00"),
            "truncated string": packet(0x30, b"\x00\x10ab"),
            "PUBLISH with a wildcard topic": packet(0x30, mstr("a/#") + b"\x00"),
        }
        for what, data in cases.items():
            r = self.raw_connected(level=5)
            r.send(data)
            first_body = r.read_packet()
            self.assertIsNotNone(first_body, what)
            first, body = first_body
            self.assertEqual(first, 0xE0, f"{what}: DISCONNECT expected")
            self.assertGreaterEqual(body[0], 0x80, what)
            self.assertTrue(r.closed(), what)
        self.bystander_works()

    def test_v311_malformed_packet_just_closes(self):
        r = self.raw_connected(level=4)
        r.send(b"\x00\x00")
        self.assertIsNone(r.read_packet())
        self.bystander_works()

    def test_second_connect_is_a_protocol_error(self):
        r = self.raw_connected(level=5)
        r.send(connect_packet("again", level=5))
        self.assert_disconnect(r, 0x82)
        self.assertTrue(r.closed())

    def test_oversized_packet(self):
        r = self.raw_connected(level=5)
        r.send(packet(0x30, mstr("big") + b"\x00" + b"x" * 2000))
        self.assert_disconnect(r, 0x95)
        self.assertTrue(r.closed())
        self.bystander_works()

    def test_topic_alias_refused(self):
        r = self.raw_connected(level=5)
        props = b"\x23\x00\x01"
        r.send(packet(0x30, mstr("a") + varint(len(props)) + props + b"x"))
        self.assert_disconnect(r, 0x94)

    def test_payload_format_invalid(self):
        r = self.raw_connected(level=5)
        props = b"\x01\x01"  # payload is UTF-8 ... but it is not
        r.send(packet(0x32, mstr(unique("pf")) + struct.pack(">H", 3) + varint(len(props)) + props + b"\xff\xfe"))
        first, body = r.read_packet()
        self.assertEqual((first, body[:3]), (0x40, struct.pack(">HB", 3, 0x99)))
        r.close()

    def test_connect_timeout(self):
        r = Raw(self.relay)
        r.s.settimeout(15)
        self.assertTrue(r.closed())  # 10 s CONNECT deadline


TOKENS = """# test tokens (D-18: the MQTT password is the token)
admin-token
reader-token read:/mqtt/**
narrow-token read:/mqtt/a/**,write:/mqtt/a/**
old-token write:/mqtt/** expires=1000
"""


class Auth(MqttTestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        path = os.path.join(cls.dir.name, "tokens")
        with open(path, "w") as f:
            f.write(TOKENS)
        cls.relay_args = ("--token-file", path)
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.dir.cleanup()

    def refused(self, level, password):
        r = Raw(self.relay)
        r.send(connect_packet(unique("auth"), level=level, password=password))
        first, body = r.read_packet()
        self.assertEqual(first, 0x20)
        self.assertTrue(r.closed())
        return body[1]

    def test_no_wrong_or_expired_token_is_refused(self):
        self.assertEqual(self.refused(4, None), 4)     # bad user name or password
        self.assertEqual(self.refused(5, None), 0x86)
        self.assertEqual(self.refused(4, "nope"), 4)
        self.assertEqual(self.refused(5, "nope"), 0x86)
        self.assertEqual(self.refused(4, "old-token"), 5)  # not authorized: expired
        self.assertEqual(self.refused(5, "old-token"), 0x87)

    def publish_reason(self, raw, topic, pid):
        raw.send(packet(0x33, mstr(topic) + struct.pack(">H", pid) + varint(0) + b"1"))  # QoS 1, retained
        first, body = raw.read_packet()
        self.assertEqual((first, body[:2]), (0x40, struct.pack(">H", pid)))
        return body[2] if len(body) > 2 else 0

    def subscribe_reason(self, raw, topic_filter, pid):
        raw.send(packet(0x82, struct.pack(">H", pid) + varint(0) + mstr(topic_filter) + b"\x00"))
        first, body = raw.read_packet()
        self.assertEqual(first, 0x90)
        return body[-1]

    def test_scopes_apply_to_publish_and_subscribe(self):
        narrow = self.raw_connected(level=5, password="narrow-token")
        self.assertEqual(self.publish_reason(narrow, "a/x", 1), 0)
        self.assertEqual(self.publish_reason(narrow, "b/x", 2), 0x87)
        self.assertEqual(self.subscribe_reason(narrow, "a/#", 3), 0)
        self.assertEqual(narrow.read_packet()[0], 0x31)  # the retained a/x it may read
        self.assertEqual(self.subscribe_reason(narrow, "#", 4), 0x87)  # wider than read:/mqtt/a/**
        self.assertEqual(self.subscribe_reason(narrow, "+/x", 5), 0x87)
        reader = self.raw_connected(level=5, password="reader-token")
        self.assertEqual(self.publish_reason(reader, "a/x", 1), 0x87)
        self.assertEqual(self.subscribe_reason(reader, "#", 2), 0)
        # What was refused was not stored: a subscriber to everything sees only a/x.
        admin = Client(self.relay, password="admin-token")
        self.clients.append(admin)
        admin.subscribe("#")
        self.assertEqual(admin.next_message().topic, "a/x")
        admin.subscribe("barrier")
        self.assert_nothing_before_barrier(admin, admin, "barrier")
        narrow.close()
        reader.close()


class SessionLimit(MqttTestCase):
    relay_args = ("--max-sessions", "2")

    def test_connect_over_the_session_limit_is_refused(self):
        a = self.raw_connected(level=4)
        b = self.raw_connected(level=5)
        v3 = Raw(self.relay)
        v3.send(connect_packet(unique("over"), level=4))
        self.assertEqual(v3.read_packet(), (0x20, b"\x00\x03"))  # Server unavailable
        self.assertTrue(v3.closed())
        v5 = Raw(self.relay)
        v5.send(connect_packet(unique("over"), level=5))
        first, body = v5.read_packet()
        self.assertEqual((first, body[1]), (0x20, 0x89))  # Server busy
        self.assertTrue(v5.closed())
        # The sessions inside the limit are untouched.
        for r in (a, b):
            r.send(b"\xc0\x00")
            self.assertEqual(r.read_packet(), (0xD0, b""))
            r.close()


class SlowConsumer(MqttTestCase):
    relay_args = ("--queue-hard-limit", "4194304")

    def test_a_reader_that_stops_reading_is_disconnected_alone(self):
        t = unique("slow/t")

        def subscribed_raw():
            r = self.raw_connected(level=5)
            r.send(packet(0x82, struct.pack(">H", 1) + varint(0) + mstr(t) + b"\x00"))
            self.assertEqual(r.read_packet()[0], 0x90)
            return r

        stuck = subscribed_raw()
        stuck.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        healthy = subscribed_raw()
        counted = queue.Queue()
        progress = queue.Queue()

        def read_all():
            n = 0
            while True:
                got = healthy.read_packet()
                if got is None:
                    counted.put(("closed", n))
                    return
                if got[1].endswith(b"last"):
                    counted.put(("last", n))
                    return
                n += 1
                if n % 250 == 0:
                    progress.put(n)

        threading.Thread(target=read_all, daemon=True).start()
        pub = self.raw_connected(level=4)
        # 24 MB in 1 MB steps, each sent once the reading subscriber has the
        # one before (so it never lags by more than a step): well past the
        # stuck reader's kernel buffers and the 4 MB hard limit, so that one is
        # closed; the reading one gets every message (events are never
        # dropped for a slow reader, D-15).
        chunk = packet(0x30, mstr(t) + b"x" * 4096)
        for step in range(1, 25):
            pub.send(chunk * 250)
            self.assertEqual(progress.get(timeout=WAIT), step * 250)
        pub.send(packet(0x30, mstr(t) + b"last"))
        self.assertEqual(counted.get(timeout=WAIT), ("last", 6000))
        stuck.s.settimeout(WAIT)
        self.assertTrue(stuck.closed())
        pub.close()
        healthy.close()


if __name__ == "__main__":
    import sys
    result = unittest.main(verbosity=2, exit=False).result
    ok = len(result.failures) + len(result.errors)
    print(f"mqtt: {result.testsRun - ok} passed, {ok} failed")
    sys.exit(0 if result.wasSuccessful() and result.testsRun > 0 else 1)
