package tools

import "fmt"

// errNotBlock says a file holds a setting in a form the editor does not
// rewrite (an inline or flow value), so the user can change it by hand.
func errNotBlock(file, key string) error {
	return fmt.Errorf("%s sets %s in a form arca does not edit (inline or flow style); write it as a block and run again", file, key)
}

// errInline is errNotBlock for TOML tables defined inline or with dotted keys.
func errInline(file, table string) error {
	return fmt.Errorf("%s defines [%s] inline or with dotted keys, which arca does not edit; write it as a [%s] table and run again", file, table, table)
}

// errNoRoot says an XML file lacks its root element.
func errNoRoot(root string) error {
	return fmt.Errorf("the file has no <%s> element; fix or move it and run again", root)
}
