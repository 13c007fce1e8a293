#!/bin/sh
# The pcapng version of examples/traffic.pcap, written by Wireshark's editcap (not by pyebpf),
# for tests/test_pcap_cli.py.  apt-get install wireshark-common
set -e
cd "$(dirname "$0")"
editcap -F pcapng ../../../examples/traffic.pcap traffic.pcapng
