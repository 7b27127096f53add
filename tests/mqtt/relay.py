"""Shared by the MQTT black-box tests: start the real clasp-relay with the MQTT
front door on kernel-chosen ports, paho-mqtt clients whose callbacks feed
queues (tests wait on a queue with a timeout, never sleep to order events),
and raw-socket helpers for packets no well-behaved client would send.
"""

import os
import queue
import re
import socket
import struct
import subprocess
import threading

import paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties
from paho.mqtt.packettypes import PacketTypes

WAIT = 5.0  # seconds any single expected event may take
RELAY_BIN = os.environ.get("CLASP_RELAY_BIN", "clasp-relay")


class Relay:
    """One clasp-relay process; stop() (or the context manager) ends it."""

    def __init__(self, *extra):
        args = [RELAY_BIN, "--host", "127.0.0.1", "--ws-port", "0", "--mqtt-port", "0", *extra]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.ws_port = None
        self.mqtt_port = None
        self.stderr_lines = []
        while self.mqtt_port is None:
            line = self.proc.stdout.readline()
            if not line:
                err = self.proc.stderr.read()
                raise RuntimeError(f"relay exited before listening: {err}")
            m = re.match(r"listening on (ws|mqtt)://[^:]+:(\d+)", line)
            if m and m.group(1) == "ws":
                self.ws_port = int(m.group(2))
            elif m:
                self.mqtt_port = int(m.group(2))
        self._drained = threading.Event()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.proc.stderr:
            self.stderr_lines.append(line)
        self._drained.set()

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        """Stops the relay; fails unless it exits cleanly (code 0, no sanitizer report)."""
        was_running = self.proc.poll() is None
        if was_running:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self._drained.wait(10)
        log = "".join(self.stderr_lines)
        if not was_running or self.proc.returncode != 0 or "Sanitizer" in log or "runtime error" in log:
            raise AssertionError(f"relay did not exit cleanly (code {self.proc.returncode}):\n{log[-4000:]}")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Client:
    """A paho client (v3.1.1 or v5) whose events arrive on queues."""

    def __init__(self, relay, client_id="", v5=False, clean=True, keepalive=60, will=None,
                 password=None, expiry=None, connect=True):
        self.v5 = v5
        proto = mqtt.MQTTv5 if v5 else mqtt.MQTTv311
        if v5:
            self.c = mqtt.Client(client_id=client_id, protocol=proto)
        else:
            self.c = mqtt.Client(client_id=client_id, clean_session=clean, protocol=proto)
        self.messages = queue.Queue()
        self.connacks = queue.Queue()
        self.disconnects = queue.Queue()
        self.subacks = queue.Queue()
        self.unsubacks = queue.Queue()
        self.published = queue.Queue()
        self.c.on_message = lambda c, u, m: self.messages.put(m)
        self.c.on_publish = lambda c, u, mid: self.published.put(mid)
        if v5:
            self.c.on_connect = lambda c, u, flags, rc, props: self.connacks.put((flags, rc.value, props))
            self.c.on_disconnect = lambda c, u, rc, props=None: self.disconnects.put(
                rc.value if hasattr(rc, "value") else rc)
            self.c.on_subscribe = lambda c, u, mid, codes, props: self.subacks.put(
                (mid, [x.value for x in codes]))
            self.c.on_unsubscribe = lambda c, u, mid, props, codes: self.unsubacks.put(
                (mid, [x.value for x in codes] if isinstance(codes, list) else [codes.value]))
        else:
            self.c.on_connect = lambda c, u, flags, rc: self.connacks.put((flags, rc, None))
            self.c.on_disconnect = lambda c, u, rc: self.disconnects.put(rc)
            self.c.on_subscribe = lambda c, u, mid, codes: self.subacks.put((mid, list(codes)))
            self.c.on_unsubscribe = lambda c, u, mid: self.unsubacks.put((mid, None))
        if will:
            self.c.will_set(*will)
        if password is not None:
            self.c.username_pw_set("user", password)
        self.relay = relay
        self.keepalive = keepalive
        self.clean = clean
        self.expiry = expiry
        if connect:
            self.connect()

    def connect(self, expect_rc=0):
        props = None
        if self.v5:
            props = Properties(PacketTypes.CONNECT)
            if self.expiry is not None:
                props.SessionExpiryInterval = self.expiry
            self.c.connect("127.0.0.1", self.relay.mqtt_port, self.keepalive, clean_start=self.clean,
                           properties=props)
        else:
            self.c.connect("127.0.0.1", self.relay.mqtt_port, self.keepalive)
        self.c.loop_start()
        flags, rc, props = self.connacks.get(timeout=WAIT)
        assert rc == expect_rc, f"CONNACK {rc}, wanted {expect_rc}"
        self.connack_flags = flags
        self.connack_props = props
        return flags

    def subscribe(self, topic, qos=0, **opts):
        if self.v5 and opts:
            from paho.mqtt.subscribeoptions import SubscribeOptions
            self.c.subscribe(topic, options=SubscribeOptions(qos=qos, **opts))
        else:
            self.c.subscribe(topic, qos)
        return self.subacks.get(timeout=WAIT)[1]

    def unsubscribe(self, topic):
        self.c.unsubscribe(topic)
        return self.unsubacks.get(timeout=WAIT)[1]

    def publish(self, topic, payload, qos=0, retain=False, wait=True):
        info = self.c.publish(topic, payload, qos=qos, retain=retain)
        if wait and qos > 0:
            info.wait_for_publish(WAIT)
            assert info.is_published(), f"QoS {qos} publish to {topic} not acknowledged"
        return info

    def next_message(self, timeout=WAIT):
        return self.messages.get(timeout=timeout)

    def no_message(self, barrier_client, barrier_topic):
        """True when nothing arrived before a barrier message this client also
        subscribes to (published after whatever must not be delivered)."""
        barrier_client.publish(barrier_topic, "barrier", qos=1)
        m = self.next_message()
        return m.topic == barrier_topic, m

    def close(self):
        self.c.disconnect()
        self.c.loop_stop()


# --- raw MQTT bytes, for what paho would refuse to send --------------------------------

def varint(n):
    out = bytearray()
    while True:
        b = n % 128
        n //= 128
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def mstr(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack(">H", len(b)) + b


def packet(first, body):
    return bytes([first]) + varint(len(body)) + body


def connect_packet(client_id="raw", level=4, name="MQTT", keepalive=60, flags=0x02, props=b"",
                   password=None):
    if password is not None:
        flags |= 0xC0
    body = mstr(name) + bytes([level, flags]) + struct.pack(">H", keepalive)
    if level == 5:
        body += varint(len(props)) + props
    body += mstr(client_id)
    if password is not None:
        body += mstr("user") + mstr(password)
    return packet(0x10, body)


class Raw:
    """A plain TCP connection speaking hand-made packets."""

    def __init__(self, relay):
        self.s = socket.create_connection(("127.0.0.1", relay.mqtt_port), timeout=WAIT)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def read_packet(self):
        """The next packet as (first byte, body), or None at EOF/reset."""
        while True:
            if len(self.buf) >= 2:
                n, mult, i = 0, 1, 1
                while i < len(self.buf):
                    b = self.buf[i]
                    n += (b & 0x7F) * mult
                    mult *= 128
                    i += 1
                    if not b & 0x80:
                        if len(self.buf) >= i + n:
                            first, body = self.buf[0], self.buf[i:i + n]
                            self.buf = self.buf[i + n:]
                            return first, body
                        break
            try:
                chunk = self.s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                return None
            if not chunk:
                return None
            self.buf += chunk

    def closed(self):
        """Waits until the server closes; True when it did (EOF or reset)."""
        while True:
            try:
                chunk = self.s.recv(65536)
            except ConnectionResetError:
                return True
            except socket.timeout:
                return False
            if not chunk:
                return True

    def close(self):
        self.s.close()
