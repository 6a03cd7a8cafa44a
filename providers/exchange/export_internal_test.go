package exchange

// RecipientPartitionFilters exposes the filters of a partitioned recipient read to the
// sim-backed tests, which compute from them the exact number of requests a read must cost.
func RecipientPartitionFilters() []string {
	out := make([]string, len(recipientPartitions))
	for i, p := range recipientPartitions {
		out[i] = p.filter
	}
	return out
}
