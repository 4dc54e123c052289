"""Training: practice cases walked by trainees, scored move by move, reported to the trainer."""
