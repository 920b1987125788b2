#ifndef NETWATCH_CPCAP_SHIM_H
#define NETWATCH_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
