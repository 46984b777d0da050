// The bulk transfer of bench/net.ts in ns-3 (Debian's libns3-dev), for the side-by-side figure:
// two nodes on a point-to-point link (rate and one-way delay as given), a BulkSendApplication
// sending BYTES over TCP (CUBIC, Linux-like 4 MiB / 6 MiB buffers, 1448-byte segments) to a
// PacketSink. Prints the simulated seconds from the first to the last byte received. With COUNT,
// that many transfers of BYTES one after the other, each on a new connection opened once the
// previous one's bytes all arrived (bench/net.ts's sequential fetches).
//   ns3-bulk BYTES RATE DELAY [COUNT]     e.g. ns3-bulk 1073741824 1Gbps 10ms
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

using namespace ns3;

static Time firstByte;
static Time lastByte;
static uint64_t received;
static uint64_t bytes;
static uint64_t started;  // transfers started
static uint64_t count = 1;
static Ptr<Node> senderNode;
static Address sinkAddress;

// One transfer of `bytes` on a new connection, starting now.
static void StartTransfer() {
  BulkSendHelper sender("ns3::TcpSocketFactory", sinkAddress);
  sender.SetAttribute("MaxBytes", UintegerValue(bytes));
  sender.Install(senderNode).Start(Seconds(0.0));
  started++;
}

static void OnReceive(Ptr<const Packet> packet, const Address &) {
  if (received == 0) firstByte = Simulator::Now();
  received += packet->GetSize();
  lastByte = Simulator::Now();
  if (received == started * bytes && started < count) StartTransfer();
}

int main(int argc, char **argv) {
  if (argc != 4 && argc != 5) {
    std::fprintf(stderr, "usage: ns3-bulk BYTES RATE DELAY [COUNT]\n");
    return 2;
  }
  bytes = std::strtoull(argv[1], nullptr, 10);
  if (argc == 5) count = std::strtoull(argv[4], nullptr, 10);
  Config::SetDefault("ns3::TcpL4Protocol::SocketType", StringValue("ns3::TcpCubic"));
  Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(1448));
  Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(4194304));
  Config::SetDefault("ns3::TcpSocket::RcvBufSize", UintegerValue(6291456));

  NodeContainer nodes;
  nodes.Create(2);
  PointToPointHelper link;
  link.SetDeviceAttribute("DataRate", StringValue(argv[2]));
  link.SetChannelAttribute("Delay", StringValue(argv[3]));
  NetDeviceContainer devices = link.Install(nodes);
  InternetStackHelper stack;
  stack.Install(nodes);
  Ipv4AddressHelper addresses;
  addresses.SetBase("10.0.0.0", "255.255.255.0");
  Ipv4InterfaceContainer interfaces = addresses.Assign(devices);

  const uint16_t port = 5000;
  senderNode = nodes.Get(0);
  sinkAddress = InetSocketAddress(interfaces.GetAddress(1), port);
  Simulator::Schedule(Seconds(1.0), &StartTransfer);
  PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), port));
  ApplicationContainer sinks = sink.Install(nodes.Get(1));
  sinks.Start(Seconds(0.0));
  sinks.Get(0)->TraceConnectWithoutContext("Rx", MakeCallback(&OnReceive));

  Simulator::Run();
  Simulator::Destroy();
  std::printf("received %llu bytes in %.3f simulated s\n", static_cast<unsigned long long>(received),
              (lastByte - firstByte).GetSeconds());
  return received == count * bytes ? 0 : 1;
}
