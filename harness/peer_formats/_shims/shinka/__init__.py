"""Stand-in for the parts of ShinkaEvolve that task folders import (fmagent, not ShinkaEvolve)."""
