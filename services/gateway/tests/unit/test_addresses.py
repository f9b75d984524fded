from gateway_svc.domain.addresses import client_ip, ip_allowed

PROXIES = ["10.0.0.0/8"]


def test_forwarded_for_is_ignored_from_an_untrusted_peer():
    assert client_ip("203.0.113.9", "198.51.100.1", PROXIES) == "203.0.113.9"


def test_a_trusted_proxy_names_the_client():
    assert client_ip("10.0.0.2", "198.51.100.1", PROXIES) == "198.51.100.1"


def test_the_nearest_untrusted_hop_wins_over_what_the_client_wrote():
    assert client_ip("10.0.0.2", "1.1.1.1, 198.51.100.1, 10.0.0.7", PROXIES) == "198.51.100.1"


def test_an_unparsable_hop_stops_the_walk():
    assert client_ip("10.0.0.2", "198.51.100.1, junk", PROXIES) == "10.0.0.2"


def test_without_a_peer_address_nothing_is_guessed():
    assert client_ip(None, "198.51.100.1", PROXIES) is None


def test_an_allow_list_matches_exact_addresses_and_networks():
    assert ip_allowed("192.0.2.7", ["192.0.2.7"])
    assert ip_allowed("192.0.2.7", ["192.0.2.0/24"])
    assert ip_allowed("2001:db8::1", ["2001:db8::/32"])
    assert not ip_allowed("192.0.2.8", ["192.0.2.7", "2001:db8::/32"])


def test_an_ipv4_mapped_address_matches_its_ipv4_entry():
    assert ip_allowed("::ffff:192.0.2.7", ["192.0.2.7"])


def test_nonsense_never_matches():
    assert not ip_allowed(None, ["0.0.0.0/0"])
    assert not ip_allowed("testclient", ["0.0.0.0/0"])
    assert not ip_allowed("192.0.2.7", ["not-an-address"])
