"""The runtime every Plenary service uses."""
