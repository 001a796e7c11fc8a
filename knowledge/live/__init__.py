"""Live state that instances sharing one PostgreSQL database hand to each other: pool state, decisions."""
