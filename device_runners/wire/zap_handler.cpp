#include "device_runners/wire/zap_handler.h"

#include <spdlog/spdlog.h>
#include <zmq_addon.hpp>
#include <cstdint>

namespace nas {

ZapHandler::ZapHandler(zmq::context_t& context, std::set<std::string> runners,
                       std::set<std::string> clients)
    : socket_(context, zmq::socket_type::rep),
      runners_(std::move(runners)),
      clients_(std::move(clients)) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.bind("inproc://zeromq.zap.01");
  thread_ = std::thread([this] { serve(); });
}

ZapHandler::~ZapHandler() {
  stop_ = true;
  thread_.join();
}

std::string ZapHandler::user_id_for(const std::string& key) const {
  const bool runner = runners_.count(key) > 0, client = clients_.count(key) > 0;
  if (runner && client) return "runner client";
  return runner ? "runner" : client ? "client" : "";
}

void ZapHandler::serve() {
  std::vector<zmq::pollitem_t> items = {{socket_.handle(), 0, ZMQ_POLLIN, 0}};
  while (!stop_) {
    try {
      zmq::poll(items, std::chrono::milliseconds(50));
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      std::vector<zmq::message_t> request;
      if (!zmq::recv_multipart(socket_, std::back_inserter(request))) continue;
      // version, request id, domain, address, identity, mechanism, credentials...
      const std::string version = request.size() > 0 ? request[0].to_string() : "";
      const std::string request_id = request.size() > 1 ? request[1].to_string() : "";
      const std::string address = request.size() > 3 ? request[3].to_string() : "";
      const std::string mechanism = request.size() > 5 ? request[5].to_string() : "";
      std::string key, user_id;
      if (version == "1.0" && mechanism == "CURVE" && request.size() > 6 &&
          request[6].size() == 32) {
        char z85[41];
        zmq_z85_encode(z85, static_cast<const std::uint8_t*>(request[6].data()), 32);
        key = z85;
        user_id = user_id_for(key);
      }
      const bool allowed = !user_id.empty();
      if (!allowed) {
        spdlog::warn("broker: refused a peer at {} (key {}): not among the authorized keys",
                     address, key.empty() ? "none" : key);
      }
      std::array<zmq::const_buffer, 6> reply = {
          zmq::buffer(std::string_view("1.0")), zmq::buffer(request_id),
          zmq::buffer(std::string_view(allowed ? "200" : "400")),
          zmq::buffer(std::string_view(allowed ? "OK" : "key not authorized")),
          zmq::buffer(user_id), zmq::buffer(std::string_view(""))};
      zmq::send_multipart(socket_, reply);
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM) return;
      spdlog::error("broker: authentication handler: {}", e.what());
    }
  }
}

}  // namespace nas
