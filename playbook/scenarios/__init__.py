"""What the playbook says: the walk through a scenario, facts, policy deadlines, drafts, maps."""
