import ipaddress

import pytest

from plenary_kit.outbound import AddressPolicy, literal_address, refusal


@pytest.mark.parametrize("text", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e"])
def test_public_addresses_are_allowed(text):
    assert refusal(ipaddress.ip_address(text)) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "not globally routable"),  # carrier-grade NAT (a cloud metadata address lives here too)
        ("169.254.169.254", "the cloud metadata service"),
        ("169.254.10.10", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("240.0.0.1", "private"),  # reserved: Python counts it among the private blocks
        ("255.255.255.255", "private"),
        ("192.0.2.10", "private"),  # documentation
        ("198.18.0.1", "private"),  # benchmarking
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("fd00:ec2::254", "private"),  # a cloud's IPv6 metadata address
        ("ff02::1", "multicast"),
        ("fec0::1", "site-local"),
        ("2001:db8::1", "private"),
    ],
)
def test_inner_addresses_are_refused_with_their_reason(text, reason):
    assert refusal(ipaddress.ip_address(text)) == reason


@pytest.mark.parametrize(
    "text",
    [
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",  # IPv4-compatible
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
    ],
)
def test_ipv6_carrying_an_inner_ipv4_is_refused(text):
    assert refusal(ipaddress.ip_address(text)) is not None


def test_ipv6_carrying_a_public_ipv4_is_judged_as_ipv6():
    assert refusal(ipaddress.ip_address("::ffff:8.8.8.8")) is not None  # the mapped block itself is not global
    assert refusal(ipaddress.ip_address("2002:808:808::1")) is None  # 6to4 of 8.8.8.8


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("012.0.0.1", "10.0.0.1"),
        ("[::ffff:7f00:1]", "::ffff:127.0.0.1"),
        ("fe80::1%eth0", "fe80::1"),
    ],
)
def test_numeric_hosts_in_any_form_are_read_as_the_address_they_connect_to(host, address):
    found = literal_address(host)
    assert found == ipaddress.ip_address(address)
    assert refusal(found) is not None


@pytest.mark.parametrize("host", ["example.com", "hooks.example.org", "0x7f.example", "", "1.2.3.4.5"])
def test_names_are_not_literal_addresses(host):
    assert literal_address(host) is None


def test_the_allow_list_admits_its_networks_and_nothing_else():
    policy = AddressPolicy.allowing(["127.0.0.0/8", "::1/128"])
    assert policy.refusal(ipaddress.ip_address("127.0.0.1")) is None
    assert policy.refusal(ipaddress.ip_address("::ffff:127.0.0.1")) is None
    assert policy.refusal(ipaddress.ip_address("::1")) is None
    assert policy.refusal(ipaddress.ip_address("10.0.0.1")) == "private"
    assert policy.refusal(ipaddress.ip_address("169.254.169.254")) == "the cloud metadata service"
    assert AddressPolicy().refusal(ipaddress.ip_address("127.0.0.1")) == "loopback"
