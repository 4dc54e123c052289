#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL server for the team-store tests (filled in by the
# case-store work). For now: run the command as is.
exec "$@"
