// SocketConn implementation: non-blocking connect, the batched read, the
// one-send-per-turn flush with its EPOLLOUT re-arming, the best-effort
// goodbye and the single close report. See socket_conn.hpp.
#include "bench/socket_conn.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "bench/clock.hpp"

namespace clasp::bench {

namespace {

std::string errnoText(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

SocketConn::SocketConn(EventLoop& loop, const Endpoint& endpoint, Listener& listener, std::string name)
    : loop_(loop), endpoint_(endpoint), listener_(listener), name_(std::move(name)) {}

SocketConn::~SocketConn() {
  if (fd_ >= 0) ::close(fd_);
}

Status<void> SocketConn::start() {
  readBuf_ = std::make_unique_for_overwrite<std::uint8_t[]>(kReadBuffer);
  out_.reserve(4096);
  fd_ = ::socket(endpoint_.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return failure(name_ + ": " + errnoText("socket"));
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&endpoint_.addr), endpoint_.addrLen) != 0 &&
      errno != EINPROGRESS)
    return failure(name_ + ": " + errnoText(("connect " + endpoint_.display).c_str()));
  link_ = Link::Connecting;
  // Writable means connected (or failed): finishConnect() tells which.
  return loop_.add(fd_, EPOLLOUT, this);
}

void SocketConn::onEvents(std::uint32_t events) {
  if (link_ == Link::Connecting) return finishConnect();
  if (link_ == Link::Closed) return;
  if (events & EPOLLOUT) flush();
  if (link_ != Link::Closed && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) readSome();
}

void SocketConn::finishConnect() {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err != 0) return fail("connect " + endpoint_.display + ": " + std::strerror(err));
  link_ = Link::Open;
  onConnected();
  if (auto ok = loop_.modify(fd_, EPOLLIN, this); !ok) return fail(ok.error());
  flush();
}

void SocketConn::readSome() {
  if (readLen_ == kReadBuffer) return fail(oversizeReason());
  const ssize_t n = ::read(fd_, readBuf_.get() + readLen_, kReadBuffer - readLen_);
  if (n == 0) return fail(eofReason());
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    return fail(errnoText("read"));
  }
  lastReadNs_ = monoNanos();
  readLen_ += static_cast<std::size_t>(n);
  onBytes();
}

void SocketConn::consume(std::size_t n) {
  if (n == 0) return;
  std::memmove(readBuf_.get(), readBuf_.get() + n, readLen_ - n);
  readLen_ -= n;
}

void SocketConn::flush() {
  flushQueued_ = false;
  if (link_ != Link::Open || fd_ < 0) return;
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

void SocketConn::closeGracefully() {
  if (link_ == Link::Closed || fd_ < 0) return;
  if (link_ == Link::Open && appendGoodbye()) {
    // One best-effort write: servers treat a reset like a goodbye anyway.
    [[maybe_unused]] ssize_t n = ::send(fd_, out_.data() + outSent_, out_.size() - outSent_, MSG_NOSIGNAL);
  }
  loop_.remove(fd_);
  ::close(fd_);
  fd_ = -1;
  link_ = Link::Closed;
}

void SocketConn::fail(std::string why) {
  if (link_ == Link::Closed) return;
  link_ = Link::Closed;
  if (fd_ >= 0) {
    loop_.remove(fd_);
    ::close(fd_);
    fd_ = -1;
  }
  listener_.onClosed(*this, name_ + ": " + why);
}

}  // namespace clasp::bench
