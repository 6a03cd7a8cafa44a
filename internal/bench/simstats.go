package bench

import (
	"maps"
	"syscall"

	"github.com/exoform/exoform/sim"
)

// fromSim records what the sim served, as the services themselves would count it.
func (m *Measurement) fromSim(st sim.Stats) {
	m.PerCmdlet = maps.Clone(st.Requests)
	m.Requests = map[string]int{"exchange": st.Exchange.Requests, "graph": st.Graph.Requests, "token": st.Token.Requests}
	m.BatchItems = st.Exchange.BatchItems + st.Graph.BatchItems
	m.Throttled = st.Exchange.Throttled + st.Graph.Throttled + st.Token.Throttled
	m.SimTable = st.Table()
}

// maxRSSBytes is the peak resident set of a finished child; Linux reports it in kilobytes.
func maxRSSBytes(ru *syscall.Rusage) int64 { return ru.Maxrss * 1024 }
