from netcheck.cli import main

raise SystemExit(main())
