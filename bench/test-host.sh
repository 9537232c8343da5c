# Sourced by run.sh and soak.sh: the namespace test host every benchmark sends its traffic to.
# make_test_host NS VETH HOST_IP PEER_IP — a namespace joined to this one by a veth pair, with
# HOST_IP/30 here and PEER_IP/30 (plus lo) inside it. The caller's cleanup deletes NS and VETH.
make_test_host() {
	local ns=$1 veth=$2 host_ip=$3 peer_ip=$4 peer=${2}p
	ip netns add "$ns"
	ip link add "$veth" type veth peer name "$peer"
	ip link set "$peer" netns "$ns"
	ip addr add "$host_ip/30" dev "$veth"
	ip link set "$veth" up
	ip -n "$ns" addr add "$peer_ip/30" dev "$peer"
	ip -n "$ns" link set "$peer" up
	ip -n "$ns" link set lo up
}
