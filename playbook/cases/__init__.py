"""What happened on each case: the case session, its stores and moves, evidence, the packet."""
