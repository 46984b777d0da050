// The bulk transfer of bench/net.ts in ns-3 (Debian's libns3-dev), for the side-by-side figure:
// two nodes on a point-to-point link (rate and one-way delay as given), a BulkSendApplication
// sending BYTES over TCP (CUBIC, Linux-like 4 MiB / 6 MiB buffers, 1448-byte segments) to a
// PacketSink. Prints the simulated seconds from the first to the last byte received.
//   ns3-bulk BYTES RATE DELAY     e.g. ns3-bulk 1073741824 1Gbps 10ms
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

static void OnReceive(Ptr<const Packet> packet, const Address &) {
  if (received == 0) firstByte = Simulator::Now();
  received += packet->GetSize();
  lastByte = Simulator::Now();
}

int main(int argc, char **argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: ns3-bulk BYTES RATE DELAY\n");
    return 2;
  }
  const uint64_t bytes = std::strtoull(argv[1], nullptr, 10);
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
  BulkSendHelper sender("ns3::TcpSocketFactory", InetSocketAddress(interfaces.GetAddress(1), port));
  sender.SetAttribute("MaxBytes", UintegerValue(bytes));
  sender.Install(nodes.Get(0)).Start(Seconds(1.0));
  PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), port));
  ApplicationContainer sinks = sink.Install(nodes.Get(1));
  sinks.Start(Seconds(0.0));
  sinks.Get(0)->TraceConnectWithoutContext("Rx", MakeCallback(&OnReceive));

  Simulator::Run();
  Simulator::Destroy();
  std::printf("received %llu bytes in %.3f simulated s\n", static_cast<unsigned long long>(received),
              (lastByte - firstByte).GetSeconds());
  return received == bytes ? 0 : 1;
}
