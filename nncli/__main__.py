"""`python -m nncli` runs the command line."""

try:
    from nncli.cli import main
except KeyboardInterrupt:  # Ctrl-C before nncli.cli could install its own handlers: end quietly
    raise SystemExit(130) from None

main()
