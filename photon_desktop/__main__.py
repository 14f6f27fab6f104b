from photon_desktop.app import main

raise SystemExit(main())
