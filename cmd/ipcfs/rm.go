package main

var rmCommand = &command{
	name:    "rm",
	args:    "KIND/NAME...",
	summary: "remove objects; open handles keep working",
	run:     runRm,
}

// runRm removes every object named, reporting each failure and going on;
// the exit status is 1 if any failed.
func runRm(e *env, _ any, args []string) error {
	if len(args) == 0 {
		return usagef("want at least one object path")
	}
	objs := make([]object, len(args))
	for i, arg := range args {
		obj, err := parseObject(arg)
		if err != nil {
			return err
		}
		objs[i] = obj
	}
	for _, obj := range objs {
		if err := e.ns.Remove(obj.String()); err != nil {
			e.report(obj.String(), err)
		}
	}
	return nil
}
