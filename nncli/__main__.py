"""`python -m nncli` runs the command line."""

try:
    from nncli.cli import main

    main()
except KeyboardInterrupt:  # Ctrl-C before nncli.cli's own handlers were in place: end quietly
    raise SystemExit(130) from None
