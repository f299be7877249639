from movers.cli import main

raise SystemExit(main())
