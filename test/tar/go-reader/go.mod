module layeraudit/goreader

go 1.19
