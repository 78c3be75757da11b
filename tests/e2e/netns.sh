# Sourced first by a test that needs two addresses of its own (a phone or
# an attacker on one, hotline on the other): runs the test again in a
# private network namespace (unshare -n) with the loopback and a veth
# pair, $NETNS_DEV0 holding $NETNS_A and $NETNS_DEV1 $NETNS_B (/24).
# Nothing leaves the machine. Set the four before sourcing.
if [ "${IN_NETNS:-}" != 1 ]; then
	exec env IN_NETNS=1 unshare -n bash "$0" "$@"
fi
ip link set lo up
ip link add "$NETNS_DEV0" type veth peer name "$NETNS_DEV1"
ip addr add "$NETNS_A/24" dev "$NETNS_DEV0"
ip addr add "$NETNS_B/24" dev "$NETNS_DEV1"
ip link set "$NETNS_DEV0" up
ip link set "$NETNS_DEV1" up
