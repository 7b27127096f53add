// MqttClientConn implementation: connect, CONNECT/CONNACK, SUBSCRIBE/SUBACK,
// QoS 0 PUBLISH both ways, batched I/O. See mqtt_client_conn.hpp.
#include "bench/mqtt_client_conn.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "bench/clock.hpp"

namespace clasp::bench {

namespace {

std::string errnoText(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// Client ids must be unique per broker: a second CONNECT with the same id
// makes the broker drop the first. pid + a process-wide counter, short
// enough for the 23 characters every 3.1.1 broker must accept.
std::string nextClientId() {
  static std::atomic<std::uint64_t> counter{0};
  return "cb" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
}

const char* connackText(std::uint8_t rc) {
  switch (rc) {
    case 1: return "unacceptable protocol version";
    case 2: return "client identifier rejected";
    case 3: return "server unavailable";
    case 4: return "bad user name or password";
    case 5: return "not authorized";
    default: return "unknown return code";
  }
}

}  // namespace

MqttClientConn::MqttClientConn(EventLoop& loop, const Endpoint& endpoint, Listener& listener, std::string name)
    : loop_(loop), endpoint_(endpoint), listener_(listener), name_(std::move(name)) {}

MqttClientConn::~MqttClientConn() {
  if (fd_ >= 0) ::close(fd_);
}

Status<void> MqttClientConn::start() {
  readBuf_ = std::make_unique_for_overwrite<std::uint8_t[]>(kReadBuffer);
  out_.reserve(4096);
  fd_ = ::socket(endpoint_.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return failure(name_ + ": " + errnoText("socket"));
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&endpoint_.addr), endpoint_.addrLen) != 0 &&
      errno != EINPROGRESS)
    return failure(name_ + ": " + errnoText(("connect " + endpoint_.display).c_str()));
  state_ = State::Connecting;
  return loop_.add(fd_, EPOLLOUT, this);
}

void MqttClientConn::onEvents(std::uint32_t events) {
  if (state_ == State::Connecting) return finishConnect();
  if (state_ == State::Closed) return;
  if (events & EPOLLOUT) flush();
  if (state_ != State::Closed && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) readSome();
}

void MqttClientConn::finishConnect() {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err != 0) return fail("connect " + endpoint_.display + ": " + std::strerror(err));
  mqtt::appendConnect(out_, nextClientId(), kKeepAliveSeconds);
  state_ = State::AwaitConnack;
  if (auto ok = loop_.modify(fd_, EPOLLIN, this); !ok) return fail(ok.error());
  flush();
}

void MqttClientConn::readSome() {
  if (readLen_ == kReadBuffer) return fail("MQTT packet larger than the read buffer");
  const ssize_t n = ::read(fd_, readBuf_.get() + readLen_, kReadBuffer - readLen_);
  if (n == 0) return fail("broker closed the TCP connection");
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    return fail(errnoText("read"));
  }
  lastReadNs_ = monoNanos();
  readLen_ += static_cast<std::size_t>(n);
  std::size_t used = 0;
  for (;;) {
    const mqtt::Packet p = mqtt::splitPacket({readBuf_.get() + used, readLen_ - used});
    if (p.status == mqtt::Packet::Status::Incomplete) break;
    if (p.status == mqtt::Packet::Status::Malformed) return fail("malformed MQTT remaining length from broker");
    if (!onPacket(p)) return;  // closed
    used += p.size;
  }
  if (used != 0) {
    std::memmove(readBuf_.get(), readBuf_.get() + used, readLen_ - used);
    readLen_ -= used;
  }
  listener_.onReadBatchEnd(*this);
}

bool MqttClientConn::onPacket(const mqtt::Packet& p) {
  switch (p.type) {
    case mqtt::Type::Connack:
      if (state_ != State::AwaitConnack || p.body.size() < 2) {
        fail("unexpected CONNACK");
        return false;
      }
      if (p.body[1] != 0) {
        fail(std::string("CONNECT refused: ") + connackText(p.body[1]));
        return false;
      }
      state_ = State::Ready;
      listener_.onReady(*this);
      break;
    case mqtt::Type::Suback:
      if (subscribePacketId_ != 0 && p.body.size() >= 3 &&
          ((unsigned{p.body[0]} << 8) | p.body[1]) == subscribePacketId_) {
        subscribePacketId_ = 0;
        if (p.body[2] == 0x80) listener_.onRefused(*this, "SUBSCRIBE refused (SUBACK 0x80)");
        else listener_.onSubscribed(*this);
      }
      break;
    case mqtt::Type::Publish: {
      std::string_view topic;
      std::span<const std::uint8_t> payload;
      if (!mqtt::parsePublish(p, topic, payload)) {
        fail("malformed PUBLISH from broker");
        return false;
      }
      std::uint64_t stamp = 0;
      if (mqtt::parseDecimal(payload, stamp)) listener_.onStamp(*this, stamp);
      break;
    }
    default:
      break;  // PINGRESP, and anything a QoS 0 client need not answer
  }
  return state_ != State::Closed;
}

void MqttClientConn::subscribe(const std::string& pattern) {
  if (state_ == State::Closed) return;
  subscribePacketId_ = 1;
  mqtt::appendSubscribe(out_, subscribePacketId_, pattern);
  queued();
}

bool MqttClientConn::sendStamp(const std::string& address, std::uint64_t stampUs) {
  if (state_ == State::Closed) return false;
  mqtt::appendPublishDecimal(out_, address, stampUs);
  queued();
  return true;
}

void MqttClientConn::keepAlive() {
  if (state_ != State::Ready) return;
  mqtt::appendPingreq(out_);
  queued();
}

void MqttClientConn::queued() {
  if (!flushQueued_) {
    flushQueued_ = true;
    loop_.scheduleFlush(this);
  }
}

void MqttClientConn::flush() {
  flushQueued_ = false;
  if (state_ == State::Closed || state_ == State::Connecting || fd_ < 0) return;
  while (outSent_ < out_.size()) {
    const ssize_t n = ::send(fd_, out_.data() + outSent_, out_.size() - outSent_, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (!wantWrite_) {
          wantWrite_ = true;
          if (auto ok = loop_.modify(fd_, EPOLLIN | EPOLLOUT, this); !ok) fail(ok.error());
        }
        return;
      }
      return fail(errnoText("send"));
    }
    outSent_ += static_cast<std::size_t>(n);
  }
  out_.clear();
  outSent_ = 0;
  if (wantWrite_) {
    wantWrite_ = false;
    if (auto ok = loop_.modify(fd_, EPOLLIN, this); !ok) fail(ok.error());
  }
}

void MqttClientConn::closeGracefully() {
  if (state_ == State::Closed || fd_ < 0) return;
  if (state_ == State::Ready || state_ == State::AwaitConnack) {
    mqtt::appendDisconnect(out_);
    // One best-effort write: a broker treats a reset like a disconnect anyway.
    [[maybe_unused]] ssize_t n = ::send(fd_, out_.data() + outSent_, out_.size() - outSent_, MSG_NOSIGNAL);
  }
  loop_.remove(fd_);
  ::close(fd_);
  fd_ = -1;
  state_ = State::Closed;
}

void MqttClientConn::fail(std::string why) {
  if (state_ == State::Closed) return;
  state_ = State::Closed;
  if (fd_ >= 0) {
    loop_.remove(fd_);
    ::close(fd_);
    fd_ = -1;
  }
  listener_.onClosed(*this, name_ + ": " + why);
}

}  // namespace clasp::bench
