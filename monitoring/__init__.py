"""Statistics uploads, the Sferum export importer, snapshots, weekly activity and targets."""
