// Entry point: replaced by the real command line in the CLI commit.
return 0;
